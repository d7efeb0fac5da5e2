/*
 * kube-fake-apiserver as a child process of a benchmark: started on
 * 127.0.0.1 with --admin-port 0 (and --tls), its URLs read from its output,
 * and stopped by PID with SIGTERM (then SIGKILL) on every exit path: call
 * bench_fake_stop(), and install bench_fake_on_signal / bench_fake_stop_all
 * (atexit) so that failures and signals stop it too; PR_SET_PDEATHSIG stops
 * it should the benchmark be killed outright.
 */
#ifndef BENCH_FAKEPROC_H
#define BENCH_FAKEPROC_H

#include <sys/types.h>

typedef struct bench_fake {
    pid_t pid;
    int tls;
    char url[256];        /* http(s)://127.0.0.1:PORT */
    char admin[256];      /* http://127.0.0.1:PORT */
    char dir[64];         /* temp folder: kubeconfig, ca.crt, client.* */
    char kubeconfig[128]; /* dir/kubeconfig while the folder is kept, else "" */
    char *ca_pem;         /* the generated CA with tls (read from dir/ca.crt) */
} bench_fake;

/* Start BIN [--tls] --admin-port 0 --kubeconfig-out DIR/kubeconfig
 * [EXTRA...] (extra: NULL-terminated, at most 8) and read its two lines
 * ("URL", "admin URL"). With keep_dir the folder and its kubeconfig stay
 * until bench_fake_stop(); without, it is removed once ca.crt is read.
 * 0 or -1 (message on stderr). */
int bench_fake_start(bench_fake *s, const char *bin, int tls, const char *const *extra,
                     int keep_dir);
void bench_fake_stop(bench_fake *s);

/* For sigaction() and atexit(): stop every started server. */
void bench_fake_on_signal(int sig);
void bench_fake_stop_all(void);

/* A monotonic clock in seconds. */
double bench_now_s(void);

/* The default path of kube-fake-apiserver next to a bench binary
 * (../tests/kube-fake-apiserver from the folder of argv0), into buf. */
const char *bench_fake_default_bin(const char *argv0, char *buf, size_t n);

#endif
