/* parts: the demo parts network (filled in below). */
#include "features/common/common.h"
#include "features/parts/internal.h"

int parts_demo(db *d, const struct demo_opts *o)
{
    (void)d;
    (void)o;
    return 0;
}
