/* paths: the repository directory, found from /proc/self/exe. */
#include "base/paths.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *paths_repo_dir(void)
{
    const char *env = getenv("AFTERSALES_REPO"); /* the fuzzers, one directory lower */
    if (env && *env)
        return strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return strdup(".");
    exe[n] = '\0';
    for (int i = 0; i < 2; i++) { /* drop the file name, then build/ */
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
    }
    return strdup(exe);
}
