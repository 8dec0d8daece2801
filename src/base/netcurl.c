/* netcurl: libcurl opened on first use (see netcurl.h). */
#define NETCURL_IMPL 1
#include "base/netcurl.h"

#include "base/dynlib.h"

#include <pthread.h>
#include <stdio.h>

struct netcurl_api netcurl;
static char curl_error[256];
static int curl_loaded;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void load(void)
{
    static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL};
    void *h = dynlib_open(names, curl_error, sizeof curl_error);
    if (!h)
        return;
#define NETCURL_BIND(f) DYNLIB_BIND(netcurl, h, f, curl_error, fail);
    NETCURL_FUNCS(NETCURL_BIND)
    curl_loaded = 1;
    curl_error[0] = '\0';
    return;
fail:
    return;
}

int netcurl_load(void)
{
    pthread_once(&curl_once, load);
    if (!curl_loaded)
        fprintf(stderr, "aftersales: %s (install libcurl4)\n", curl_error);
    return curl_loaded ? 0 : -1;
}

const char *netcurl_error(void)
{
    return curl_error;
}

CURLcode netcurl_global_init(long flags)
{
    return netcurl_load() == 0 ? netcurl.curl_global_init(flags) : CURLE_FAILED_INIT;
}

CURL *netcurl_easy_init(void)
{
    return netcurl_load() == 0 ? netcurl.curl_easy_init() : NULL;
}
