// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the framing code, built with SSTP_DEBUG and run at module
 * load. Included at the end of proto.c.
 */

#include <linux/slab.h>
#include <linux/sort.h>

struct st_pkt {
	unsigned int off, len;
};

struct st_stream {
	u8 *buf;
	unsigned int len;
	struct st_pkt pkt[16];
	unsigned int n;
};

struct st_check {
	const struct st_stream *st;
	unsigned int next;
	int fail_at;		/* packet whose callback fails, or -1 */
	bool bad;
};

static u32 st_rand(u32 *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 8;
}

static int st_cmp(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static void st_add(struct st_stream *st, int control, unsigned int len,
		   const u8 *body, unsigned int body_len)
{
	u8 *p = st->buf + st->len;
	unsigned int i;

	sstp_hdr_put(p, control, len);
	for (i = SSTP_HDR_LEN; i < len; i++)
		p[i] = i - SSTP_HDR_LEN < body_len ? body[i - SSTP_HDR_LEN] :
						     (u8)(i * 7 + st->n);
	st->pkt[st->n].off = st->len;
	st->pkt[st->n].len = len;
	st->n++;
	st->len += len;
}

static int st_fn(void *ctx, const u8 *pkt, unsigned int len)
{
	struct st_check *c = ctx;
	const struct st_pkt *want;

	if (c->next >= c->st->n) {
		c->bad = true;
		return 0;
	}
	want = &c->st->pkt[c->next];
	if (len != want->len || memcmp(pkt, c->st->buf + want->off, len))
		c->bad = true;
	if (c->fail_at == c->next++)
		return -E2BIG;
	return 0;
}

/* Feeds the stream cut at the given offsets; true if all packets came out. */
static bool st_feed(struct sstp_deframer *d, const struct st_stream *st,
		    const unsigned int *cuts, unsigned int ncuts)
{
	struct st_check c = { .st = st, .fail_at = -1 };
	unsigned int i, from = 0, to;

	sstp_deframer_reset(d);
	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : st->len;
		if (sstp_deframe(d, st->buf + from, to - from, st_fn, &c))
			return false;
		from = to;
	}
	return !c.bad && c.next == st->n && !d->have;
}

/* The same, in chunks of a fixed size. */
static bool st_feed_chunks(struct sstp_deframer *d, const struct st_stream *st,
			   unsigned int chunk)
{
	struct st_check c = { .st = st, .fail_at = -1 };
	unsigned int off, n;

	sstp_deframer_reset(d);
	for (off = 0; off < st->len; off += n) {
		n = min(chunk, st->len - off);
		if (sstp_deframe(d, st->buf + off, n, st_fn, &c))
			return false;
	}
	return !c.bad && c.next == st->n && !d->have;
}

static bool st_stream_tests(struct sstp_deframer *d, struct st_stream *st)
{
	static const u8 lcp[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x01 };
	static const u8 ip4[] = { 0xff, 0x03, 0x00, 0x21, 0x45, 0x00 };
	static const u8 ip4c[] = { 0x21, 0x45 };
	static const u8 echo[] = { 0x00, 0x08, 0x00, 0x00 };
	static const unsigned int chunks[] = {
		1, 2, 3, 4, 5, 7, 8, 13, 1000, 4094, 4095, 4096, 4099, 65536
	};
	unsigned int cut[64], i, k, n;
	struct st_check c;
	u32 seed = 1;
	int err;

	st_add(st, 0, SSTP_HDR_LEN, NULL, 0);
	st_add(st, 1, SSTP_ECHO_LEN, echo, sizeof(echo));
	st_add(st, 0, 30, ip4, sizeof(ip4));
	st_add(st, 0, 6, ip4c, sizeof(ip4c));
	st_add(st, 1, 5, NULL, 0);
	st_add(st, 0, SSTP_MAX_PACKET, ip4, sizeof(ip4));
	st_add(st, 0, 1500, lcp, sizeof(lcp));
	st_add(st, 0, 10, lcp, sizeof(lcp));
	st_add(st, 1, SSTP_LEN_CONNECT_REQUEST, NULL, 0);
	st_add(st, 0, SSTP_MAX_PACKET, ip4c, sizeof(ip4c));

	if (!st_feed(d, st, NULL, 0))
		return false;
	for (k = 0; k <= st->len; k++)
		if (!st_feed(d, st, &k, 1))
			return false;
	for (i = 0; i < ARRAY_SIZE(chunks); i++)
		if (!st_feed_chunks(d, st, chunks[i]))
			return false;
	for (i = 0; i < 500; i++) {
		n = st_rand(&seed) % ARRAY_SIZE(cut);
		for (k = 0; k < n; k++)
			cut[k] = st_rand(&seed) % (st->len + 1);
		sort(cut, n, sizeof(cut[0]), st_cmp, NULL);
		if (!st_feed(d, st, cut, n))
			return false;
	}
	/* A failing callback stops the stream; its error comes back. */
	for (k = 0; k <= st->len; k += 97) {
		sstp_deframer_reset(d);
		c = (struct st_check){ .st = st, .fail_at = 2 };
		err = sstp_deframe(d, st->buf, k, st_fn, &c);
		if (!err)
			err = sstp_deframe(d, st->buf + k, st->len - k, st_fn,
					   &c);
		if (err != -E2BIG || c.next != 3)
			return false;
	}
	return true;
}

static bool st_malformed_tests(struct sstp_deframer *d)
{
	static const u8 bad_version[] = { 0x11, 0x00, 0x00, 0x08, 0, 0, 0, 0 };
	static const u8 bad_len[] = { 0x10, 0x00, 0x00, 0x03, 0, 0, 0, 0 };
	static const u8 after_good[] = {
		0x10, 0x00, 0x00, 0x05, 0x21, 0x10, 0x00, 0x00, 0x00
	};
	struct st_check c;
	struct st_stream st = { .n = 8 };
	unsigned int k;
	int err;

	for (k = 0; k <= sizeof(bad_version); k++) {
		sstp_deframer_reset(d);
		c = (struct st_check){ .st = &st, .fail_at = -1 };
		err = sstp_deframe(d, bad_version, k, st_fn, &c);
		if (!err)
			err = sstp_deframe(d, bad_version + k,
					   sizeof(bad_version) - k, st_fn, &c);
		if (err != -EPROTO)
			return false;
		sstp_deframer_reset(d);
		err = sstp_deframe(d, bad_len, k, st_fn, &c);
		if (!err)
			err = sstp_deframe(d, bad_len + k, sizeof(bad_len) - k,
					   st_fn, &c);
		if (err != -EPROTO)
			return false;
	}
	/* The good packet is delivered before the bad one is refused. */
	st.n = 1;
	st.pkt[0].len = 5;
	st.buf = (u8 *)after_good;
	for (k = 0; k <= sizeof(after_good); k++) {
		sstp_deframer_reset(d);
		c = (struct st_check){ .st = &st, .fail_at = -1 };
		err = sstp_deframe(d, after_good, k, st_fn, &c);
		if (!err)
			err = sstp_deframe(d, after_good + k,
					   sizeof(after_good) - k, st_fn, &c);
		if (err != -EPROTO || c.next != 1 || c.bad)
			return false;
	}
	return true;
}

static bool st_ppp_tests(void)
{
	static const struct {
		u8 b[4];
		unsigned int len;
		int ret;
		u16 proto;
	} t[] = {
		{ { 0xff, 0x03, 0x00, 0x21 }, 4, 4, 0x0021 },
		{ { 0x00, 0x21 }, 2, 2, 0x0021 },
		{ { 0x21 }, 1, 1, 0x0021 },
		{ { 0xff, 0x03, 0x57 }, 3, 3, 0x0057 },
		{ { 0xff, 0x03, 0xc0, 0x21 }, 4, 4, 0xc021 },
		{ { 0xc0, 0x21 }, 2, 2, 0xc021 },
		{ { 0xff }, 1, 1, 0x00ff },
		{ { 0 }, 0, -EINVAL, 0 },
		{ { 0xff, 0x03 }, 2, -EINVAL, 0 },
		{ { 0x00 }, 1, -EINVAL, 0 },
		{ { 0xff, 0x03, 0x80 }, 3, -EINVAL, 0 },
	};
	static const u8 full[] = { 0x10, 0x00, 0x00, 0x0c, 0xff, 0x03, 0x00, 0x21 };
	static const u8 comp[] = { 0x10, 0x00, 0x00, 0x09, 0x57 };
	static const u16 protos[] = { 0x0021, 0x0057, 0xc021, 0x8021 };
	unsigned int i, f, hlen;
	u8 buf[SSTP_PPP_HDR_MAX + SSTP_HDR_LEN];
	u16 proto;
	int ret;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		proto = 0;
		ret = sstp_ppp_parse(t[i].b, t[i].len, &proto);
		if (ret != t[i].ret || (ret > 0 && proto != t[i].proto))
			return false;
	}
	for (f = 0; f <= (SSTP_PPP_FLAGS_ACFC | SSTP_PPP_FLAGS_PFC); f++) {
		for (i = 0; i < ARRAY_SIZE(protos); i++) {
			memset(buf, 0xaa, sizeof(buf));
			hlen = sstp_data_hdr_put(buf, f, protos[i], 100);
			if (hlen != sstp_data_hdr_len(f, protos[i]) ||
			    hlen > sizeof(buf) ||
			    sstp_len_get(buf + 2) != hlen + 100 ||
			    buf[0] != SSTP_VERSION || buf[1] != 0)
				return false;
			ret = sstp_ppp_parse(buf + SSTP_HDR_LEN,
					     hlen - SSTP_HDR_LEN, &proto);
			if (ret != hlen - SSTP_HDR_LEN || proto != protos[i])
				return false;
		}
	}
	if (sstp_data_hdr_put(buf, 0, SSTP_PPP_IP, 4) != 8 ||
	    memcmp(buf, full, sizeof(full)))
		return false;
	if (sstp_data_hdr_put(buf, SSTP_PPP_FLAGS_ACFC | SSTP_PPP_FLAGS_PFC,
			      SSTP_PPP_IPV6, 4) != 5 ||
	    memcmp(buf, comp, sizeof(comp)))
		return false;
	return true;
}

static bool st_echo_tests(void)
{
	static const u8 resp[] = { 0x10, 0x01, 0x00, 0x08, 0x00, 0x09, 0x00, 0x00 };
	static const u8 req[] = { 0x10, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00 };
	static const u8 data[] = { 0x10, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00 };
	u8 buf[SSTP_ECHO_LEN];

	sstp_echo_response_put(buf);
	return !memcmp(buf, resp, sizeof(resp)) &&
	       sstp_is_echo_request(req, sizeof(req)) &&
	       !sstp_is_echo_request(req, sizeof(req) - 1) &&
	       !sstp_is_echo_request(resp, sizeof(resp)) &&
	       !sstp_is_echo_request(data, sizeof(data));
}

/**
 * sstp_proto_selftest() - Run the framing self-tests.
 *
 * Return: true if all passed.
 */
bool sstp_proto_selftest(void)
{
	struct sstp_deframer *d;
	struct st_stream *st;
	bool ok = false;

	d = kmalloc(sizeof(*d), GFP_KERNEL);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!d || !st)
		goto out;
	st->buf = kmalloc(4 * SSTP_MAX_PACKET, GFP_KERNEL);
	if (!st->buf)
		goto out;

	if (!st_stream_tests(d, st))
		pr_err("self-test: de-framing across read boundaries failed\n");
	else if (!st_malformed_tests(d))
		pr_err("self-test: malformed stream handling failed\n");
	else if (!st_ppp_tests())
		pr_err("self-test: PPP header parsing and building failed\n");
	else if (!st_echo_tests())
		pr_err("self-test: SSTP echo handling failed\n");
	else
		ok = true;
out:
	if (st)
		kfree(st->buf);
	kfree(st);
	kfree(d);
	return ok;
}
