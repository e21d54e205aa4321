// SPDX-License-Identifier: GPL-2.0
/*
 * Taking over a kernel TLS socket from the gateway.
 *
 * Only three socket callbacks are replaced, and sk_user_data points to the
 * session; sk_prot and the proto_ops stay kernel TLS's own. Callbacks and
 * sk_user_data change together under sk_callback_lock, and a callback
 * reads sk_user_data under that lock, so after detaching no callback sees
 * the session any more. A callback that was fetched just before detaching
 * finds no session and passes the event on to what is installed by then.
 */

#include <linux/file.h>
#include <linux/net.h>
#include <linux/string.h>
#include <net/inet_common.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "main.h"
#include "session.h"
#include "socket.h"

/* The session of a socket; called with sk_callback_lock held. */
static struct sstp_session *session_of(struct sock *sk)
{
	return rcu_dereference_sk_user_data(sk);
}

enum sstp_sk_event {
	SSTP_SK_DATA_READY,
	SSTP_SK_WRITE_SPACE,
	SSTP_SK_STATE_CHANGE,	/* FIN, resets: the receive work reads them */
};

/*
 * The body of the three callbacks: queue the session's work and pass the
 * event on to the callback we replaced; once detached, to whatever is
 * installed by then, unless that is still this one.
 */
static void sk_event(struct sock *sk, enum sstp_sk_event ev,
		     void (*self)(struct sock *sk))
{
	void (*next)(struct sock *sk);
	struct sstp_session *s;

	rcu_read_lock();
	read_lock_bh(&sk->sk_callback_lock);
	s = session_of(sk);
	switch (ev) {
	case SSTP_SK_DATA_READY:
		next = s ? s->saved_data_ready : READ_ONCE(sk->sk_data_ready);
		break;
	case SSTP_SK_WRITE_SPACE:
		next = s ? s->saved_write_space : READ_ONCE(sk->sk_write_space);
		break;
	default:
		next = s ? s->saved_state_change :
			   READ_ONCE(sk->sk_state_change);
		break;
	}
	if (s)
		queue_work(sstp_wq, ev == SSTP_SK_WRITE_SPACE ? &s->tx_work :
							       &s->rx_work);
	else if (next == self)
		next = NULL;
	read_unlock_bh(&sk->sk_callback_lock);
	rcu_read_unlock();
	if (next)
		next(sk);
}

static void sstp_sk_data_ready(struct sock *sk)
{
	sk_event(sk, SSTP_SK_DATA_READY, sstp_sk_data_ready);
}

static void sstp_sk_write_space(struct sock *sk)
{
	sk_event(sk, SSTP_SK_WRITE_SPACE, sstp_sk_write_space);
}

static void sstp_sk_state_change(struct sock *sk)
{
	sk_event(sk, SSTP_SK_STATE_CHANGE, sstp_sk_state_change);
}

static bool tls_conf_ok(unsigned int conf)
{
	return conf == TLS_SW || conf == TLS_HW;
}

/* Called with the socket locked. */
static int check_ktls(struct sock *sk, struct netlink_ext_ack *extack)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tls_context *ctx;
	int state = READ_ONCE(sk->sk_state);

	if (state != TCP_ESTABLISHED && state != TCP_CLOSE_WAIT) {
		NL_SET_ERR_MSG_MOD(extack, "socket is not connected");
		return -ENOTCONN;
	}
	if (!icsk->icsk_ulp_ops || strcmp(icsk->icsk_ulp_ops->name, "tls")) {
		NL_SET_ERR_MSG_MOD(extack, "socket does not use kernel TLS");
		return -EPROTONOSUPPORT;
	}
	ctx = tls_get_ctx(sk);
	if (!ctx || !tls_conf_ok(ctx->tx_conf) || !tls_conf_ok(ctx->rx_conf)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "kernel TLS must handle both directions");
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/* Called with the socket locked. */
static int install(struct sstp_session *s, struct sock *sk,
		   struct netlink_ext_ack *extack)
{
	int err = 0;

	write_lock_bh(&sk->sk_callback_lock);
	if (rcu_access_pointer(__sk_user_data(sk))) {
		NL_SET_ERR_MSG_MOD(extack,
				   "socket is already used by another kernel user");
		err = -EBUSY;
		goto out;
	}
	s->saved_data_ready = sk->sk_data_ready;
	s->saved_write_space = sk->sk_write_space;
	s->saved_state_change = sk->sk_state_change;
	sk->sk_data_ready = sstp_sk_data_ready;
	sk->sk_write_space = sstp_sk_write_space;
	sk->sk_state_change = sstp_sk_state_change;
	rcu_assign_sk_user_data(sk, s);
out:
	write_unlock_bh(&sk->sk_callback_lock);
	return err;
}

/**
 * sstp_sock_attach() - Take over a kernel TLS socket for a session.
 * @s: session in state NEW
 * @fd: the gateway's descriptor of the socket
 * @extack: for the reason of a refusal
 *
 * The socket must be a connected TCP socket with kernel TLS for both
 * directions and no other kernel user. The session keeps a reference to
 * the socket's file until sstp_sock_release().
 *
 * Return: 0, or a negative errno.
 */
int sstp_sock_attach(struct sstp_session *s, int fd,
		     struct netlink_ext_ack *extack)
{
	struct socket *sock;
	struct sock *sk;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG_MOD(extack, "socket descriptor not found");
		return err;
	}
	sk = sock->sk;
	if (sk->sk_type != SOCK_STREAM || sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG_MOD(extack, "socket is not a TCP socket");
		err = -EPROTOTYPE;
		goto err_put;
	}

	lock_sock(sk);
	err = check_ktls(sk, extack);
	if (!err)
		err = install(s, sk, extack);
	release_sock(sk);
	if (err)
		goto err_put;

	/*
	 * Before 6.6 kernel TLS inherits TCP's read_sock, which would hand
	 * over ciphertext; only a read_sock of its own decrypts. Reading
	 * with recvmsg needs a buffer to copy into.
	 */
	s->sock = sock;
	s->use_read_sock = sock->ops->read_sock &&
			   sock->ops->read_sock != inet_stream_ops.read_sock;
	if (!s->use_read_sock) {
		s->rx_buf = kvmalloc(SSTP_RX_BUF, GFP_KERNEL_ACCOUNT);
		if (!s->rx_buf) {
			sstp_sock_detach(s);
			s->sock = NULL;
			err = -ENOMEM;
			goto err_put;
		}
	}
	return 0;

err_put:
	sockfd_put(sock);
	return err;
}

/**
 * sstp_sock_detach() - Give the socket's callbacks back.
 * @s: the session
 *
 * Restores a callback only where it is still ours. Safe to call twice and
 * without a socket.
 */
void sstp_sock_detach(struct sstp_session *s)
{
	struct sock *sk;

	if (!s->sock)
		return;
	sk = s->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	if (rcu_access_pointer(__sk_user_data(sk)) == s) {
		if (sk->sk_data_ready == sstp_sk_data_ready)
			sk->sk_data_ready = s->saved_data_ready;
		if (sk->sk_write_space == sstp_sk_write_space)
			sk->sk_write_space = s->saved_write_space;
		if (sk->sk_state_change == sstp_sk_state_change)
			sk->sk_state_change = s->saved_state_change;
		rcu_assign_sk_user_data(sk, NULL);
	}
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * sstp_sock_release() - Drop the session's reference to the socket.
 * @s: the session, detached
 *
 * The connection closes here unless the gateway still has a descriptor.
 */
void sstp_sock_release(struct sstp_session *s)
{
	if (s->sock) {
		sockfd_put(s->sock);
		s->sock = NULL;
	}
}
