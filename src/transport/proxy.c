/*
 * NO_PROXY matching with CIDR entries, as apimachinery's
 * NewProxierWithNoProxyCIDR: entries are host names (a leading "." or "*."
 * matches subdomains, a bare name matches itself and its subdomains),
 * host:port, IP literals and CIDR blocks; "*" bypasses everything.
 */
#include "common.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

#include "transport/transport.h"

static int parse_ip(const char *s, unsigned char addr[16], int *family)
{
    char tmp[64];
    size_t n = strlen(s);
    if (n >= sizeof(tmp))
        return 0;
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        memcpy(tmp, s + 1, n - 2);
        tmp[n - 2] = '\0';
    } else {
        memcpy(tmp, s, n + 1);
    }
    if (inet_pton(AF_INET, tmp, addr) == 1) {
        *family = AF_INET;
        return 1;
    }
    if (inet_pton(AF_INET6, tmp, addr) == 1) {
        *family = AF_INET6;
        return 1;
    }
    return 0;
}

static int cidr_contains(const char *cidr, const unsigned char ip[16], int family)
{
    char net[64];
    const char *slash = strchr(cidr, '/');
    unsigned char addr[16];
    int fam, bits, i, max;
    char *end;
    size_t len;

    if (!slash)
        return 0;
    len = (size_t)(slash - cidr);
    if (len >= sizeof(net))
        return 0;
    memcpy(net, cidr, len);
    net[len] = '\0';
    if (!parse_ip(net, addr, &fam) || fam != family)
        return 0;
    bits = (int)strtol(slash + 1, &end, 10);
    max = family == AF_INET ? 32 : 128;
    if (*end || end == slash + 1 || bits < 0 || bits > max)
        return 0;
    for (i = 0; i < bits / 8; i++)
        if (addr[i] != ip[i])
            return 0;
    if (bits % 8) {
        unsigned char mask = (unsigned char)(0xff << (8 - bits % 8));
        if ((addr[i] & mask) != (ip[i] & mask))
            return 0;
    }
    return 1;
}

static int host_suffix_match(const char *host, const char *pat)
{
    size_t hl = strlen(host), pl;
    if (pat[0] == '*' && pat[1] == '.')
        pat++;
    pl = strlen(pat);
    if (pl == 0)
        return 0;
    if (pat[0] == '.') {
        /* ".example.com" matches subdomains and example.com itself */
        if (hl + 1 == pl && strcasecmp(host, pat + 1) == 0)
            return 1;
        return hl > pl && strcasecmp(host + hl - pl, pat) == 0;
    }
    if (strcasecmp(host, pat) == 0)
        return 1;
    return hl > pl && host[hl - pl - 1] == '.' && strcasecmp(host + hl - pl, pat) == 0;
}

int kube__no_proxy_match(const char *no_proxy, const char *host, int port)
{
    unsigned char ip[16];
    int family = 0, is_ip;
    const char *p = no_proxy;

    if (!no_proxy || !host)
        return 0;
    is_ip = parse_ip(host, ip, &family);
    while (*p) {
        char entry[256];
        size_t n = 0;
        char *e;
        int eport = 0;

        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        while (p[n] && p[n] != ',')
            n++;
        if (n == 0)
            break;
        if (n >= sizeof(entry)) {
            p += n;
            continue;
        }
        memcpy(entry, p, n);
        entry[n] = '\0';
        p += n;
        while (n && isspace((unsigned char)entry[n - 1]))
            entry[--n] = '\0';
        e = entry;
        if (strcmp(e, "*") == 0)
            return 1;
        if (strchr(e, '/')) {
            if (is_ip && cidr_contains(e, ip, family))
                return 1;
            continue;
        }
        /* host:port (not for bare IPv6 literals) */
        {
            char *colon = strrchr(e, ':');
            if (colon && strchr(e, ':') == colon) {
                eport = atoi(colon + 1);
                *colon = '\0';
            } else if (e[0] == '[' && colon && colon > e && colon[-1] == ']') {
                eport = atoi(colon + 1);
                *colon = '\0';
            }
        }
        if (eport && eport != port)
            continue;
        if (is_ip) {
            unsigned char eip[16];
            int efam;
            if (parse_ip(e, eip, &efam) && efam == family &&
                memcmp(eip, ip, family == AF_INET ? 4 : 16) == 0)
                return 1;
            continue;
        }
        if (host_suffix_match(host, e))
            return 1;
    }
    return 0;
}
