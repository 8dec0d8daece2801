/* repairs: the fixed-offset local date that demo.c still uses (everything else uses
 * base/datetime with the organisation's zone). */
#include "features/repairs/repairs.h"

#include "base/datetime.h"

void rep_local_date(int64_t t, char out[11])
{
    dt_local_date(NULL, t + REP_TZ_OFFSET, out);
}
