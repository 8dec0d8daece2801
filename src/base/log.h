/* log: stderr logging. Access lines are buffered and flushed by a background thread
 * every 200 ms (one write per batch instead of one per request); other lines go at once. */
#ifndef BASE_LOG_H
#define BASE_LOG_H

void log_start(void);
void log_stop(void); /* flush and stop the flusher */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_access(const char *method, const char *path, int status, double ms, const char *client);

#endif
