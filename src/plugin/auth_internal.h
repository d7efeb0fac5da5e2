/*
 * Internals shared by the credential kinds of src/plugin (auth.c dispatches
 * to tokenfile.c, exec.c and oidc.c). Tests include this header to inject a
 * clock and shorten the exec plugin timeout.
 *
 * Nothing here is logged with secret content: token values, passwords, keys,
 * refresh tokens and exec plugin output never reach kube__log.
 */
#ifndef KUBE_PLUGIN_AUTH_INTERNAL_H
#define KUBE_PLUGIN_AUTH_INTERNAL_H

#include "plugin/auth.h"
#include "util/file.h"

/* ---- clock (tests) ---- */

/* Wall-clock milliseconds since the epoch used by every authenticator: token
 * file age, exec credential expiry, id-token expiry. */
int64_t kube__auth_now_ms(void);
/* Replace the clock (process-wide; NULL restores the real one). */
void kube__auth_set_clock(int64_t (*now_ms)(void));

/* ---- small helpers ---- */

/* Append to a buffer holding secrets: growing copies into a new block and
 * wipes the old one (a plain realloc would leave copies in freed memory). */
int kube__auth_secret_append(kube__buf *b, const char *data, size_t n);
/* Wipe the whole allocation and release it. */
void kube__auth_secret_dispose(kube__buf *b);
/* "Bearer <token>" (new, secret). KUBE_ENOMEM. */
int kube__auth_bearer_header(char **out, const char *token);
/* 1 when the header value `used` is "Bearer <token>". */
int kube__auth_header_matches(const char *used, const char *token);
/* Parse an RFC 3339 timestamp ("2006-01-02T15:04:05Z", optional fraction,
 * "Z" or "+hh:mm"/"-hh:mm"). Returns 0 and the time in ms, or -1. */
int kube__rfc3339_parse(int64_t *ms_out, const char *s);

/* ---- token file (client-go transport.NewCachedFileTokenSource) ---- */

typedef struct kube__token_file kube__token_file;

/* The file token is cached for a minute and re-read once it is within 10 s
 * of that (about every 50 s). If static_token is NULL/empty the file is read
 * now and construction fails (KUBE_ECONFIG) when it cannot be. */
#define KUBE__TOKEN_FILE_PERIOD_MS 60000
#define KUBE__TOKEN_FILE_LEEWAY_MS 10000
int kube__token_file_new(kube__token_file **out, const char *path,
                         const char *static_token);
void kube__token_file_free(kube__token_file *tf);
/* Append to a buffer holding secrets: growing copies into a new block and
 * wipes the old one (a plain realloc would leave copies in freed memory). */
int kube__auth_secret_append(kube__buf *b, const char *data, size_t n);
/* Wipe the whole allocation and release it. */
void kube__auth_secret_dispose(kube__buf *b);
/* "Bearer <token>" (new, secret). On a failed re-read the last good token is
 * kept; before any good read the static token is used. */
int kube__token_file_header(char **out, kube__token_file *tf);
/* A 401 was answered to `used`: if it is the current token, re-read the file
 * on the next call. */
void kube__token_file_unauthorized(kube__token_file *tf, const char *used);

/* ---- exec credential plugin (plugin/pkg/client/auth/exec) ---- */

typedef struct kube__exec_auth kube__exec_auth;

#define KUBE__EXEC_DEFAULT_TIMEOUT_MS 60000
#define KUBE__EXEC_MAX_OUTPUT (1024 * 1024)
/* Timeout for every plugin run (process-wide; 0 restores 60 s). Tests. */
void kube__auth_set_exec_timeout_ms(int64_t ms);

/* cfg provides the exec config and the cluster information
 * (provideClusterInfo). Errors: KUBE_ECONFIG, KUBE_ENOMEM. */
int kube__exec_auth_new(kube__exec_auth **out, const kube_rest_config *cfg);
void kube__exec_auth_free(kube__exec_auth *e);
int kube__exec_auth_header(char **out, kube__exec_auth *e);
int kube__exec_auth_client_cert(kube__bytes *cert, kube__bytes *key,
                                uint64_t *generation, kube__exec_auth *e);
void kube__exec_auth_unauthorized(kube__exec_auth *e, const char *used);
/* Number of plugin runs so far (tests). */
unsigned kube__exec_auth_runs(kube__exec_auth *e);
/* The KUBERNETES_EXEC_INFO value this authenticator sends (new; tests). */
int kube__exec_auth_info_json(char **out, kube__exec_auth *e, int interactive);

/* ---- OIDC auth-provider ---- */

typedef struct kube__oidc_auth kube__oidc_auth;

/* id-tokens are refreshed when they expire within this skew (client-go
 * expiryDelta). */
#define KUBE__OIDC_EXPIRY_DELTA_MS 10000
int kube__oidc_auth_new(kube__oidc_auth **out, const kube__auth_provider *p);
void kube__oidc_auth_free(kube__oidc_auth *o);
int kube__oidc_auth_header(char **out, kube__oidc_auth *o);
void kube__oidc_auth_unauthorized(kube__oidc_auth *o, const char *used);
/* Copies of the current tokens (new, secret; NULL when unset). Tests. */
int kube__oidc_auth_tokens(char **id_token, char **refresh_token, kube__oidc_auth *o);
/* Expiry of a JWT from its payload's "exp" claim (no signature check, as in
 * client-go). Returns 0 (exp_ms = 0 when absent), -1 when not a JWT, or
 * KUBE_ENOMEM. */
int kube__jwt_expiry_ms(int64_t *exp_ms, const char *jwt);

/* ---- access to the parts of an authenticator (tests) ---- */
kube__exec_auth *kube__authenticator_exec(kube__authenticator *a);
kube__oidc_auth *kube__authenticator_oidc(kube__authenticator *a);

#endif
