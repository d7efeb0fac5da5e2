/*
 * fake-exec-plugin: a client-go credential plugin for the tests of
 * src/plugin/exec.c. Its behaviour is driven by environment variables (which
 * the tests pass through the exec config's env, proving env passing):
 *
 *   FAKE_MODE        token (default) | cert | badversion | badkind | malformed |
 *                    fail | hang | nostatus | empty | onlycert | signal |
 *                    big (2 MiB of output)
 *   FAKE_API         apiVersion to print (default client.authentication.k8s.io/v1)
 *   FAKE_TOKEN       token prefix (default "fake-token"); the token printed is
 *                    "<prefix>-<n>", n = this run's number (from FAKE_COUNT_FILE,
 *                    else 1)
 *   FAKE_EXPIRY      status.expirationTimestamp (RFC 3339), optional
 *   FAKE_CERT_FILE, FAKE_KEY_FILE   PEM files printed in cert/onlycert mode
 *   FAKE_COUNT_FILE  one line is appended per run
 *   FAKE_INFO_FILE   receives $KUBERNETES_EXEC_INFO
 *   FAKE_ARGS_FILE   receives argv[1..], each followed by a NUL byte
 *   FAKE_ENV_FILE    receives the whole environment, one "NAME=value" a line
 *   FAKE_STDIN_FILE  receives "devnull" when stdin is /dev/null, else "other"
 *   FAKE_PID_FILE    receives the process id
 *   FAKE_SLEEP_MS    sleep this long before answering
 *   FAKE_EXIT        exit code in fail mode (default 3)
 *   FAKE_SECRET      printed inside the malformed output (redaction tests)
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static void put_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int count_runs(void)
{
    const char *path = getenv("FAKE_COUNT_FILE");
    char *old;
    int n = 1;
    FILE *f;
    if (!path)
        return 1;
    old = read_file(path);
    if (old) {
        for (char *p = old; *p; p++)
            if (*p == '\n')
                n++;
        free(old);
    }
    f = fopen(path, "ab");
    if (f) {
        fputs("run\n", f);
        fclose(f);
    }
    return n;
}

int main(int argc, char **argv)
{
    const char *mode = env_or("FAKE_MODE", "token");
    const char *api = env_or("FAKE_API", "client.authentication.k8s.io/v1");
    const char *path;
    int n = count_runs();

    if ((path = getenv("FAKE_INFO_FILE"))) {
        const char *info = env_or("KUBERNETES_EXEC_INFO", "");
        write_file(path, info, strlen(info));
    }
    if ((path = getenv("FAKE_ARGS_FILE"))) {
        FILE *f = fopen(path, "wb");
        if (f) {
            for (int i = 1; i < argc; i++)
                fwrite(argv[i], 1, strlen(argv[i]) + 1, f);
            fclose(f);
        }
    }
    if ((path = getenv("FAKE_ENV_FILE"))) {
        FILE *f = fopen(path, "wb");
        if (f) {
            for (char **e = environ; *e; e++)
                fprintf(f, "%s\n", *e);
            fclose(f);
        }
    }
    if ((path = getenv("FAKE_STDIN_FILE"))) {
        struct stat a, b;
        int devnull = fstat(0, &a) == 0 && stat("/dev/null", &b) == 0 &&
                      S_ISCHR(a.st_mode) && a.st_rdev == b.st_rdev;
        const char *v = devnull ? "devnull" : "other";
        write_file(path, v, strlen(v));
    }
    if ((path = getenv("FAKE_PID_FILE"))) {
        char buf[32];
        int len = snprintf(buf, sizeof(buf), "%ld", (long)getpid());
        write_file(path, buf, (size_t)len);
    }
    if (getenv("FAKE_SLEEP_MS")) {
        long ms = atol(getenv("FAKE_SLEEP_MS"));
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }

    if (strcmp(mode, "fail") == 0) {
        fprintf(stderr, "fake-exec-plugin: failing on purpose\n");
        return atoi(env_or("FAKE_EXIT", "3"));
    }
    if (strcmp(mode, "signal") == 0) {
        raise(SIGTERM);
        return 0;
    }
    if (strcmp(mode, "hang") == 0) {
        for (;;)
            pause();
    }
    if (strcmp(mode, "malformed") == 0) {
        printf("{\"apiVersion\": \"%s\", \"kind\": \"ExecCredential\", \"status\": "
               "{\"token\": \"%s\"", api, env_or("FAKE_SECRET", "x"));
        return 0;
    }
    if (strcmp(mode, "empty") == 0)
        return 0;
    if (strcmp(mode, "big") == 0) {
        static char block[65536];
        memset(block, 'A', sizeof(block));
        printf("{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"", api);
        for (int i = 0; i < 32; i++)
            fwrite(block, 1, sizeof(block), stdout);
        printf("\"}}\n");
        return 0;
    }

    printf("{\"apiVersion\":");
    put_json_string(strcmp(mode, "badversion") == 0 ? "client.authentication.k8s.io/v1alpha1"
                                                    : api);
    printf(",\"kind\":");
    put_json_string(strcmp(mode, "badkind") == 0 ? "Pod" : "ExecCredential");
    if (strcmp(mode, "nostatus") == 0) {
        printf("}\n");
        return 0;
    }
    printf(",\"status\":{");
    if (strcmp(mode, "cert") == 0 || strcmp(mode, "onlycert") == 0) {
        char *cert = read_file(env_or("FAKE_CERT_FILE", "/nonexistent"));
        char *key = read_file(env_or("FAKE_KEY_FILE", "/nonexistent"));
        printf("\"clientCertificateData\":");
        put_json_string(cert ? cert : "");
        if (strcmp(mode, "cert") == 0) {
            printf(",\"clientKeyData\":");
            put_json_string(key ? key : "");
        }
        free(cert);
        free(key);
    } else {
        char tok[512];
        snprintf(tok, sizeof(tok), "%s-%d", env_or("FAKE_TOKEN", "fake-token"), n);
        printf("\"token\":");
        put_json_string(tok);
    }
    if (getenv("FAKE_EXPIRY")) {
        printf(",\"expirationTimestamp\":");
        put_json_string(getenv("FAKE_EXPIRY"));
    }
    printf("}}\n");
    return 0;
}
