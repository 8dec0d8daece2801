/* common: the keys and HMAC-SHA256 signatures of the signed links the public pages
 * take without login (survey invitations, one-click unsubscribe, research
 * questionnaires): one 32-byte key per purpose, made with libsodium at its first use
 * and kept in the key_hex column of that capability's one-row settings table. */
#include "features/common/common.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int link_key(db_conn *c, const char *settings, int make, unsigned char key[32])
{
    char sql[160];
    if (make) {
        unsigned char k[32];
        char hex[65];
        randombytes_buf(k, sizeof k);
        sodium_bin2hex(hex, sizeof hex, k, sizeof k);
        snprintf(sql, sizeof sql, "UPDATE %s SET key_hex = ? WHERE id = 1 AND key_hex IS NULL", settings);
        int64_t e = db_exec(c, sql, "t", hex);
        if (e < 0)
            return (int)e;
    }
    snprintf(sql, sizeof sql, "SELECT key_hex FROM %s WHERE id = 1", settings);
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    int s = db_step(st), rc = 1;
    size_t len = 0;
    const char *hex = s == DB_ROW ? db_text(st, 0) : NULL;
    if (hex && sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &len, NULL) == 0 && len == 32)
        rc = 0;
    db_done(st);
    return s < 0 ? s : rc;
}

void link_mac(const unsigned char key[32], const char *msg, char hex[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)strlen(msg), key);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
}

int link_mac_ok(const unsigned char key[32], const char *msg, const char *hex)
{
    char want[65];
    link_mac(key, msg, want);
    return hex && strlen(hex) == 64 && sodium_memcmp(want, hex, 64) == 0;
}
