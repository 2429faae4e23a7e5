/* libsrtp 3 calls used by mediasoup, implemented with Debian's libsrtp2 (see include/srtp.h). */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <srtp2/srtp.h>

/* libsrtp 3's "output buffer too small" code (see include/srtp.h). */
#define QM_ERR_BUFFER_SMALL ((srtp_err_status_t)28)

/* Longest master key + salt of any profile (AES-256: 32 + 12 for GCM, 32 + 14 for ICM). */
#define QM_MAX_KEY_AND_SALT 64

typedef struct qm_srtp3_policy {
	srtp_policy_t policy;                    /* the libsrtp 2 struct handed to srtp_create() */
	unsigned char key[QM_MAX_KEY_AND_SALT]; /* key || salt, as libsrtp 2 expects it */
} *qm_srtp3_policy_t;

srtp_err_status_t qm_srtp3_policy_create(qm_srtp3_policy_t *out) {
	if (!out) return srtp_err_status_bad_param;
	*out = calloc(1, sizeof(**out));
	if (!*out) return srtp_err_status_alloc_fail;
	(*out)->policy.key = (*out)->key;
	return srtp_err_status_ok;
}

void qm_srtp3_policy_destroy(qm_srtp3_policy_t p) {
	if (!p) return;
	memset(p->key, 0, sizeof(p->key)); /* do not leave key material on the heap */
	free(p);
}

srtp_err_status_t qm_srtp3_policy_set_ssrc(qm_srtp3_policy_t p, srtp_ssrc_t ssrc) {
	p->policy.ssrc = ssrc;
	return srtp_err_status_ok;
}

srtp_err_status_t qm_srtp3_policy_set_profile(qm_srtp3_policy_t p, srtp_profile_t profile) {
	srtp_err_status_t err = srtp_crypto_policy_set_from_profile_for_rtp(&p->policy.rtp, profile);
	if (err != srtp_err_status_ok) return err;
	return srtp_crypto_policy_set_from_profile_for_rtcp(&p->policy.rtcp, profile);
}

srtp_err_status_t qm_srtp3_policy_add_key(qm_srtp3_policy_t p, const uint8_t *key, size_t key_len,
                                          const uint8_t *salt, size_t salt_len,
                                          const uint8_t *mki, size_t mki_len) {
	/* mediasoup adds exactly one key, without MKI. */
	if (!key || key_len + salt_len > sizeof(p->key) || (salt_len && !salt) || mki || mki_len)
		return srtp_err_status_bad_param;
	memcpy(p->key, key, key_len);
	if (salt_len) memcpy(p->key + key_len, salt, salt_len);
	return srtp_err_status_ok;
}

srtp_err_status_t qm_srtp3_policy_set_allow_repeat_tx(qm_srtp3_policy_t p, bool allow) {
	p->policy.allow_repeat_tx = allow ? 1 : 0;
	return srtp_err_status_ok;
}

srtp_err_status_t qm_srtp3_policy_set_window_size(qm_srtp3_policy_t p, size_t window_size) {
	p->policy.window_size = (unsigned long)window_size;
	return srtp_err_status_ok;
}

srtp_err_status_t qm_srtp3_create(srtp_t *session, const qm_srtp3_policy_t p) {
	/* libsrtp 2 copies the key into the session, so the policy may be destroyed afterwards. */
	return srtp_create(session, &p->policy);
}

typedef srtp_err_status_t (*in_place_fn)(srtp_t, void *, int *);

/* Copy the packet into the output buffer, then run the libsrtp 2 in-place operation there.
 * `room` is what libsrtp 2 documents it may append (the trailer; plus the SRTCP index word). */
static srtp_err_status_t run_in_place(in_place_fn fn, srtp_t session, const uint8_t *in, size_t in_len,
                                      uint8_t *out, size_t *out_len, size_t room) {
	if (!in || !out || !out_len || in_len > (size_t)INT_MAX - room) return srtp_err_status_bad_param;
	if (*out_len < in_len + room) return QM_ERR_BUFFER_SMALL;
	if (out != in) memmove(out, in, in_len);
	int len = (int)in_len;
	srtp_err_status_t err = fn(session, out, &len);
	if (err != srtp_err_status_ok) return err;
	*out_len = (size_t)len;
	return srtp_err_status_ok;
}

srtp_err_status_t qm_srtp3_protect(srtp_t s, const uint8_t *rtp, size_t rtp_len, uint8_t *srtp,
                                   size_t *srtp_len, size_t mki_index) {
	(void)mki_index; /* no MKI in use */
	return run_in_place(srtp_protect, s, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN);
}

srtp_err_status_t qm_srtp3_unprotect(srtp_t s, const uint8_t *srtp, size_t srtp_len, uint8_t *rtp,
                                     size_t *rtp_len) {
	return run_in_place(srtp_unprotect, s, srtp, srtp_len, rtp, rtp_len, 0);
}

srtp_err_status_t qm_srtp3_protect_rtcp(srtp_t s, const uint8_t *rtcp, size_t rtcp_len, uint8_t *srtcp,
                                        size_t *srtcp_len, size_t mki_index) {
	(void)mki_index;
	return run_in_place(srtp_protect_rtcp, s, rtcp, rtcp_len, srtcp, srtcp_len, SRTP_MAX_TRAILER_LEN + 4);
}

srtp_err_status_t qm_srtp3_unprotect_rtcp(srtp_t s, const uint8_t *srtcp, size_t srtcp_len, uint8_t *rtcp,
                                          size_t *rtcp_len) {
	return run_in_place(srtp_unprotect_rtcp, s, srtcp, srtcp_len, rtcp, rtcp_len, 0);
}
