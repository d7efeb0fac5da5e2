/*
 * kube-fake-apiserver as a child process of a benchmark (see fakeproc.h).
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakeproc.h"

double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *bench_fake_default_bin(const char *argv0, char *buf, size_t n)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;
    (void)argv0;
    if (len <= 0)
        return NULL;
    self[len] = '\0';
    /* BUILD/bench/<bench> -> BUILD/tests/kube-fake-apiserver */
    if (!(slash = strrchr(self, '/')))
        return NULL;
    *slash = '\0';
    if (!(slash = strrchr(self, '/')))
        return NULL;
    *slash = '\0';
    if (snprintf(buf, n, "%s/tests/kube-fake-apiserver", self) >= (int)n)
        return NULL;
    return access(buf, X_OK) == 0 ? buf : NULL;
}
/* ------------------------------------------------------------------------ */
/* The child server                                                         */
/* ------------------------------------------------------------------------ */


/* PIDs to stop on any exit; written before fork returns to the caller. */
static volatile pid_t g_pids[4];

/* The temp folder of a starting server and its files (the folder only lives
 * until the server has printed its URLs and ca.crt was read). Paths are
 * built beforehand so that a signal handler can remove them. */
static const char *const DIR_FILES[] = { "kubeconfig", "ca.crt", "client.crt", "client.key",
                                         "env" };
#define NFILES (sizeof(DIR_FILES) / sizeof(DIR_FILES[0]))
static char g_dir[64], g_dir_files[NFILES][128];

/* Async-signal-safe: the known files, then the folder. */
static void rm_dir_now(void)
{
    size_t i;
    if (!g_dir[0])
        return;
    for (i = 0; i < NFILES; i++)
        unlink(g_dir_files[i]);
    rmdir(g_dir);
    g_dir[0] = '\0';
}

static void stop_pid(pid_t pid)
{
    int st, i;

    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (i = 0; i < 100; i++) { /* 5 s, then SIGKILL */
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            return;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
}

void bench_fake_stop_all(void)
{
    size_t i;
    rm_dir_now();
    for (i = 0; i < sizeof(g_pids) / sizeof(g_pids[0]); i++) {
        pid_t p = g_pids[i];
        g_pids[i] = 0;
        stop_pid(p);
    }
}

void bench_fake_on_signal(int sig)
{
    /* kill, waitpid and usleep are async-signal-safe */
    bench_fake_stop_all();
    _exit(128 + sig);
}

/* Outside signal handlers: whatever the server wrote there, then the folder. */
static void rm_dir(bench_fake *s)
{
    DIR *d = g_dir[0] ? opendir(g_dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlinkat(dirfd(d), e->d_name, 0);
    if (d)
        closedir(d);
    rm_dir_now();
    s->dir[0] = '\0';
    s->kubeconfig[0] = '\0';
}

void bench_fake_stop(bench_fake *s)
{
    size_t i;
    for (i = 0; i < sizeof(g_pids) / sizeof(g_pids[0]); i++)
        if (g_pids[i] == s->pid)
            g_pids[i] = 0;
    stop_pid(s->pid);
    s->pid = 0;
    rm_dir(s);
    free(s->ca_pem);
    s->ca_pem = NULL;
}

int bench_fake_start(bench_fake *s, const char *bin, int tls, const char *const *extra,
                     int keep_dir)
{
    char kc[128], line[512];
    int p[2], slot;
    size_t got = 0, nl = 0;
    pid_t parent = getpid();
    double until;

    memset(s, 0, sizeof(*s));
    s->tls = tls;
    snprintf(s->dir, sizeof(s->dir), "/tmp/bench-fake-XXXXXX");
    if (!mkdtemp(s->dir)) {
        perror("mkdtemp");
        s->dir[0] = '\0';
        return -1;
    }
    memcpy(g_dir, s->dir, sizeof(g_dir));
    for (slot = 0; slot < (int)NFILES; slot++)
        if (snprintf(g_dir_files[slot], sizeof(g_dir_files[slot]), "%s/%s", s->dir,
                     DIR_FILES[slot]) >= (int)sizeof(g_dir_files[slot])) {
            rm_dir(s);
            return -1;
        }
    snprintf(kc, sizeof(kc), "%s", g_dir_files[0]);
    for (slot = 0; slot < 4 && g_pids[slot]; slot++)
        ;
    if (slot == 4 || pipe2(p, O_CLOEXEC) != 0) {
        fprintf(stderr, "cannot start the server: no slot or pipe\n");
        rm_dir(s);
        return -1;
    }
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0) {
        perror("fork");
        close(p[0]);
        close(p[1]);
        rm_dir(s);
        return -1;
    }
    if (s->pid == 0) {
        char *args[16];
        int n = 0, dn, e;
        /* die with the bench, even if it is killed with SIGKILL */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        dup2(p[1], STDOUT_FILENO);
        if ((dn = open("/dev/null", O_RDONLY)) >= 0)
            dup2(dn, STDIN_FILENO);
        args[n++] = (char *)bin;
        if (tls)
            args[n++] = "--tls";
        args[n++] = "--admin-port";
        args[n++] = "0";
        args[n++] = "--kubeconfig-out";
        args[n++] = kc;
        for (e = 0; extra && extra[e] && e < 8; e++)
            args[n++] = (char *)extra[e];
        args[n] = NULL;
        execv(bin, args);
        fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    g_pids[slot] = s->pid;
    close(p[1]);

    /* the URL, then "admin URL" */
    until = bench_now_s() + 15;
    while (nl < 2) {
        struct pollfd pf = { p[0], POLLIN, 0 };
        ssize_t r;
        int left = (int)((until - bench_now_s()) * 1000);
        if (left <= 0 || poll(&pf, 1, left) <= 0) {
            fprintf(stderr, "%s did not print its URLs in time\n", bin);
            goto fail;
        }
        r = read(p[0], line + got, sizeof(line) - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fprintf(stderr, "%s exited before printing its URLs\n", bin);
            goto fail;
        }
        got += (size_t)r;
        line[got] = '\0';
        nl = 0;
        {
            const char *c;
            for (c = line; (c = strchr(c, '\n')); c++)
                nl++;
        }
        if (got == sizeof(line) - 1 && nl < 2) {
            fprintf(stderr, "unexpected output from %s: %s\n", bin, line);
            goto fail;
        }
    }
    close(p[0]);
    {
        char *a = strchr(line, '\n');
        *a = '\0';
        if (snprintf(s->url, sizeof(s->url), "%s", line) >= (int)sizeof(s->url)) {
            fprintf(stderr, "URL too long from %s\n", bin);
            bench_fake_stop(s);
            return -1;
        }
        a++;
        if (strncmp(a, "admin ", 6) != 0) {
            fprintf(stderr, "unexpected second line from %s: %s\n", bin, a);
            bench_fake_stop(s);
            return -1;
        }
        *strchr(a, '\n') = '\0';
        if (snprintf(s->admin, sizeof(s->admin), "%s", a + 6) >= (int)sizeof(s->admin)) {
            fprintf(stderr, "admin URL too long from %s\n", bin);
            bench_fake_stop(s);
            return -1;
        }
    }
    if (strncmp(s->url, tls ? "https://127.0.0.1:" : "http://127.0.0.1:", tls ? 18 : 17) != 0) {
        fprintf(stderr, "unexpected URL from %s: %s\n", bin, s->url);
        bench_fake_stop(s);
        return -1;
    }
    if (tls) {
        /* the CA in memory; the folder (with the client key) goes now */
        FILE *f = fopen(g_dir_files[1], "rb");
        long len = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
            (s->ca_pem = calloc(1, (size_t)len + 1)) &&
            fread(s->ca_pem, 1, (size_t)len, f) == (size_t)len) {
            fclose(f);
        } else {
            fprintf(stderr, "cannot read %s\n", g_dir_files[1]);
            if (f)
                fclose(f);
            bench_fake_stop(s);
            return -1;
        }
    }
    if (keep_dir)
        snprintf(s->kubeconfig, sizeof(s->kubeconfig), "%s", g_dir_files[0]);
    else
        rm_dir(s);
    return 0;
fail:
    close(p[0]);
    bench_fake_stop(s);
    return -1;
}

