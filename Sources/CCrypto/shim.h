#ifndef GUTS_CCRYPTO_SHIM_H
#define GUTS_CCRYPTO_SHIM_H
/* Git object ids are SHA-1; OpenSSL 3 marks the low-level SHA1_* calls
   deprecated but they remain the fastest streaming interface. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
/* HMAC-SHA256 signs webhook payloads (X-Hub-Signature-256). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
