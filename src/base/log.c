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

/* RFC 3339 UTC with milliseconds; the date-and-seconds part is cached per thread. */
static void stamp(char *out, size_t n)
{
    static _Thread_local time_t last_sec = -1;
    static _Thread_local char last[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != last_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(last, sizeof last, "%Y-%m-%dT%H:%M:%S", &tm);
        last_sec = ts.tv_sec;
    }
    snprintf(out, n, "%s.%03dZ", last, (int)(ts.tv_nsec / 1000000));
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

void log_access(const char *method, const char *path, int status, double ms, const char *client)
{
    char ts[48], clean[256];
    stamp(ts, sizeof ts);
    /* A decoded path may hold control characters: never let it forge log lines. */
    size_t i = 0;
    for (; path[i] && i < sizeof clean - 1; i++)
        clean[i] = (unsigned char)path[i] < 32 || path[i] == 127 ? '?' : path[i];
    clean[i] = '\0';
    fprintf(stderr, "%s access %s %s %d %.2fms %s\n", ts, method, clean, status, ms,
            client ? client : "-");
}
