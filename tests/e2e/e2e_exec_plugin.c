/*
 * e2e-exec-plugin: the smallest client-go credential plugin, for the e2e
 * test of exec authentication against a real API server.
 *
 * It prints an ExecCredential (client.authentication.k8s.io/v1) whose
 * status.token is $E2E_EXEC_TOKEN; the test passes the token through the
 * kubeconfig's exec env list. Optional:
 *
 *   E2E_EXEC_COUNT_FILE  one line is appended per run (how often it ran)
 *   E2E_EXEC_INFO_FILE   receives $KUBERNETES_EXEC_INFO
 *
 * Exit status 1 (and a message on stderr) when the token is missing.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void append_line(const char *path, const char *line, const char *mode)
{
    FILE *f;
    if (!path || !*path)
        return;
    f = fopen(path, mode);
    if (!f)
        return;
    fputs(line, f);
    fputc('\n', f);
    fclose(f);
}

/* Print s as a JSON string body (the token is hex, but stay correct). */
static void put_json_string(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
}

int main(void)
{
    const char *token = getenv("E2E_EXEC_TOKEN");
    const char *info = getenv("KUBERNETES_EXEC_INFO");

    append_line(getenv("E2E_EXEC_COUNT_FILE"), "run", "a");
    append_line(getenv("E2E_EXEC_INFO_FILE"), info ? info : "", "w");
    if (!token || !*token) {
        fprintf(stderr, "e2e-exec-plugin: E2E_EXEC_TOKEN is not set\n");
        return 1;
    }
    printf("{\"apiVersion\":\"client.authentication.k8s.io/v1\","
           "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"");
    put_json_string(token);
    printf("\"}}\n");
    return fflush(stdout) == 0 ? 0 : 1;
}
