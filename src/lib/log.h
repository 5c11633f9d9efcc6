/* log.h: what the runtime's own code needs of log.c beyond burrow.h. */
#ifndef BURROW_LOG_H
#define BURROW_LOG_H

/* The --log file's descriptor, or -1 when lines go to stderr: code that closes a child's
   stray fds must keep this one open, or later log lines land in whatever reuses it. */
int burrow_log_fd (void);

#endif
