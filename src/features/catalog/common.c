/* catalog: the checks and lookups the catalog's routes and its CSV import share (codes,
 * a model's fields, product lines). */
#include "base/datetime.h"
#include "features/catalog/internal.h"

#include <string.h>

/* ---------------------------------------------------------------- validation */

/* Reasons for a model's fields; NULL when fine. */
const char *cat_model_code_reason(const char *code)
{
    return code_ok(code, 40) ? NULL : "1-40 letters, digits or - _ . /";
}
const char *cat_model_months_reason(long long m)
{
    return m >= 1 && m <= 120 ? NULL : "must be a whole number of months from 1 to 120";
}
const char *cat_model_launch_reason(const char *d)
{
    return !d || !*d || dt_is_date(d) ? NULL : "must be a date YYYY-MM-DD";
}


json_t *cat_line_json(db_stmt *st, int col)
{
    return json_pack("{s:s, s:s, s:s?}", "code", db_text(st, col), "name", db_text(st, col + 1),
                     "name_en", db_text(st, col + 2));
}
