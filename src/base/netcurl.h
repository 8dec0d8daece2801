/* netcurl: libcurl, opened on first use (base/dynlib.h says why). Include this instead
 * of <curl/curl.h>: the curl_* calls below are redirected to a table of pointers typed
 * after curl.h. curl_global_init and curl_easy_init load the library; when it cannot be
 * loaded they fail as libcurl itself does (CURLE_FAILED_INIT, NULL), and netcurl_error()
 * says why. */
#ifndef BASE_NETCURL_H
#define BASE_NETCURL_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#define NETCURL_FUNCS(X)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_getinfo) X(curl_easy_init) X(curl_easy_perform) X(curl_easy_recv)                  \
        X(curl_easy_send) X(curl_easy_setopt) X(curl_easy_strerror) X(curl_global_cleanup)         \
            X(curl_global_init) X(curl_slist_append) X(curl_slist_free_all)
#define NETCURL_MEMBER(f) __typeof__(f) *f;
struct netcurl_api {
    NETCURL_FUNCS(NETCURL_MEMBER)
};
extern struct netcurl_api netcurl;

/* 0 when libcurl is loaded (loading it once), -1 when it cannot be. */
int netcurl_load(void);
/* Why the library could not be loaded ("" when it was). */
const char *netcurl_error(void);
CURLcode netcurl_global_init(long flags);
CURL *netcurl_easy_init(void);

#ifndef NETCURL_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init(flags) netcurl_global_init(flags)
#define curl_easy_init() netcurl_easy_init()
#define curl_easy_cleanup (*netcurl.curl_easy_cleanup)
#define curl_easy_getinfo (*netcurl.curl_easy_getinfo)
#define curl_easy_perform (*netcurl.curl_easy_perform)
#define curl_easy_recv (*netcurl.curl_easy_recv)
#define curl_easy_send (*netcurl.curl_easy_send)
#define curl_easy_setopt (*netcurl.curl_easy_setopt)
#define curl_easy_strerror (*netcurl.curl_easy_strerror)
#define curl_global_cleanup (*netcurl.curl_global_cleanup)
#define curl_slist_append (*netcurl.curl_slist_append)
#define curl_slist_free_all (*netcurl.curl_slist_free_all)
#endif

#endif
