/* log: timestamped lines on stderr; access lines batched. */
#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t flusher;
static atomic_int running;
static char stderr_buf[1 << 16];

static void stamp(char *out, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static void *flush_loop(void *arg)
{
    while (atomic_load(&running)) {
        usleep(200 * 1000);
        fflush(stderr);
    }
    return NULL;
}

void log_start(void)
{
    setvbuf(stderr, stderr_buf, _IOFBF, sizeof stderr_buf);
    atomic_store(&running, 1);
    pthread_create(&flusher, NULL, flush_loop, NULL);
}

void log_stop(void)
{
    if (atomic_exchange(&running, 0))
        pthread_join(flusher, NULL);
    fflush(stderr);
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
    char ts[48];
    stamp(ts, sizeof ts);
    flockfile(stderr);
    fprintf(stderr, "%s %s ", ts, level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    funlockfile(stderr);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
}

void log_access(const char *method, const char *path, int status, double ms)
{
    char ts[48];
    stamp(ts, sizeof ts);
    fprintf(stderr, "%s access %s %s %d %.2fms\n", ts, method, path, status, ms);
}
