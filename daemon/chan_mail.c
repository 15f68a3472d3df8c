/*
 * chan_mail.c: email over SMTP with libcurl.  Each message is one
 * transfer: MAIL FROM, one RCPT TO and the bytes mime_message makes.
 *
 * The transfers run on max_connections worker threads, one message at a
 * time each: a plain curl_easy_perform on an easy handle the worker keeps,
 * and with it its connection, open and reused for the next message;
 * messages wait their turn in one queue.  Not on the daemon's own loop
 * through curlev.c: libcurl (7.88 and later 8.x, curl issue 8555) waits
 * for the server's answer to the end of DATA by blocking even inside a
 * multi handle, which would stop the whole daemon for as long as a slow
 * or stalled server takes, up to the time-out.  On a worker the wait
 * holds only that connection.  When convened stops, the progress
 * callback cuts every transfer short within a second.  Finished
 * transfers come back to the loop through a pipe, and every decision
 * and log line is made there.
 *
 * The server's reply code decides the outcome: 5xx is PERMFAIL (the
 * member's next channel is tried), 4xx is TEMPFAIL, and so is everything
 * that says nothing about the message: a refused or timed-out
 * connection, TLS, a reply that makes no sense, and refused credentials,
 * which need an operator rather than another channel.  A server that
 * does not offer AUTH when smtp_username is set is refused too: libcurl
 * would skip the login and send the mail without it.
 *
 * Trouble with the server is logged once when it starts and once when
 * mail goes again (chan_trouble_*), not at every message and retry.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <sodium.h>

#include "convene.h"
#include "curlev.h"
#include "log.h"
#include "mime.h"
#include "util.h"

#define CHAN_MAIL_REPLY		200	/* a reply line kept for the reason */
#define CHAN_MAIL_CONNECT	30	/* seconds to connect, at most */
#define CHAN_MAIL_STOP_WAIT	5	/* seconds for workers to stop */
#define CHAN_MAIL_COMMAND	12	/* "STARTTLS" and its NUL, and more */

/* Why a transfer stopped before MAIL FROM, smtp_username being set. */
#define CHAN_MAIL_NO_AUTH	1	/* the server offers no AUTH */
#define CHAN_MAIL_NO_TLS	2	/* it refused STARTTLS, AUTH after */

struct chan_mail_worker;

/*
 * One configuration.  Jobs made under it hold a reference, so a reload
 * never changes a message on its way; only the loop counts references.
 */
struct chan_mail_set {
	int			 refs;
	char			*url;
	char			*user;
	char			*password;
	char			*from;		/* the From header */
	char			*sender;	/* "<address>", the envelope */
	long			 tls;
	long			 timeout;
};

/* One message on its way; the message is freed once send returns. */
struct chan_mail_job {
	struct chan_mail_set	*set;
	long long		 id;		/* the outbox row */
	char			*data;
	size_t			 len;
	size_t			 off;
	char			*message_id;
	struct curl_slist	*rcpt;
	chan_done_cb		 done;
	void			*arg;

	/* Filled in by the worker. */
	struct chan_mail_worker	*w;		/* while it runs */
	int			 ran;
	int			 noauth;	/* stopped: CHAN_MAIL_NO_* */
	int			 result;	/* CURLcode */
	long			 code;		/* the server's last reply */
	long			 reply_code;
	char			 command[CHAN_MAIL_COMMAND]; /* "RCPT" */
	char			 refused[CHAN_MAIL_COMMAND]; /* refused */
	char			 reply[CHAN_MAIL_REPLY];
	char			 error[CURL_ERROR_SIZE];
	TAILQ_ENTRY(chan_mail_job) entry;
};
TAILQ_HEAD(chan_mail_jobs, chan_mail_job);

/* Shared with the workers: what is under lock says so. */
static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* work, or stop */
	pthread_cond_t		 gone;		/* a worker has ended */
	struct chan_mail_jobs	 queue;		/* lock */
	struct chan_mail_jobs	 finished;	/* lock */
	size_t			 wanted;	/* lock */
	size_t			 serving;	/* lock: workers taking work */
	size_t			 alive;		/* lock: workers not ended */
	int			 stopping;	/* lock; also read unlocked */
	int			 notify;	/* lock: the pipe's write end */

	/* The loop's own. */
	int			 started;
	int			 pipe_r;
	struct event		*ev;
	struct chan_mail_set	*set;
	size_t			 inflight;
	struct chan_trouble	*trouble;
} cm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.gone = PTHREAD_COND_INITIALIZER,
	.notify = -1,
	.pipe_r = -1
};

/* A worker's own easy handle, and with it its connection. */
struct chan_mail_worker {
	CURL			*easy;
	curl_socket_t		 fd;		/* its connection, or -1 */
	struct chan_mail_job	*job;		/* the message on its way */

	/* What the server offered on this connection. */
	int			 tls;		/* smtps://, or STARTTLS */
	int			 ehlo_auth;	/* the last EHLO: AUTH */
	int			 ehlo_starttls;	/* and STARTTLS */
};

/* The password: the file's first line, without its line end. */
static char *
chan_mail_secret(const char *path, char **cause)
{
	char	 buf[1024], *password;
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "re")) == NULL) {
		cause_set(cause, "[mail] smtp_password_file: %s: %s", path,
		    strerror(errno));
		return (NULL);
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (*buf == '\0') {
		sodium_memzero(buf, sizeof buf);
		cause_set(cause, "[mail] smtp_password_file: %s holds no "
		    "password", path);
		return (NULL);
	}
	password = xstrdup(buf);
	sodium_memzero(buf, sizeof buf);
	return (password);
}

/* An address fit for the envelope: one @, nothing that ends a command. */
static int
chan_mail_address_ok(const char *a)
{
	const char	*at = strchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0')
		return (0);
	for (; *a != '\0'; a++) {
		if ((unsigned char)*a <= 0x20 || *a == 0x7f || *a == '<' ||
		    *a == '>')
			return (0);
	}
	return (1);
}

static void
chan_mail_set_release(struct chan_mail_set *set)
{
	if (set == NULL || --set->refs > 0)
		return;
	if (set->password != NULL)
		sodium_memzero(set->password, strlen(set->password));
	free(set->url);
	free(set->user);
	free(set->password);
	free(set->from);
	free(set->sender);
	free(set);
}

static void
chan_mail_job_free(struct chan_mail_job *job)
{
	chan_mail_set_release(job->set);
	free(job->data);
	free(job->message_id);
	curl_slist_free_all(job->rcpt);
	free(job);
}

/* CURLOPT_READFUNCTION: the message, from where libcurl has got to. */
static size_t
chan_mail_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct chan_mail_job	*job = arg;
	size_t			 n = size * nitems;

	if (n > job->len - job->off)
		n = job->len - job->off;
	memcpy(buf, job->data + job->off, n);
	job->off += n;
	return (n);
}

/* CURLOPT_SEEKFUNCTION: from the start again, should libcurl resend. */
static int
chan_mail_seek(void *arg, curl_off_t offset, int origin)
{
	struct chan_mail_job	*job = arg;

	if (origin != SEEK_SET || offset < 0 || (size_t)offset > job->len)
		return (CURL_SEEKFUNC_CANTSEEK);
	job->off = (size_t)offset;
	return (CURL_SEEKFUNC_OK);
}

/*
 * Follow what the server offers on the connection and say whether to
 * stop, before the mail goes without the login smtp_username asks for:
 * 0 to go on, else CHAN_MAIL_NO_*.  libcurl logs in only when the reply
 * to EHLO lists AUTH: without it, after HELO, or when STARTTLS is
 * refused and starttls = optional, it carries on to MAIL FROM without a
 * word.  A connection kept for the next message has passed here already.
 */
static int
chan_mail_offered(struct chan_mail_job *job, long code, const char *text,
    size_t len, int last)
{
	struct chan_mail_worker	*w = job->w;
	int			 login = *job->set->user != '\0';

	if (strcmp(job->command, "STARTTLS") == 0) {
		if (code == 220)
			w->tls = 1;
		/* Refused: libcurl may go on in the clear, as EHLO said. */
		if (login && last && code != 220 && !w->ehlo_auth &&
		    job->set->tls == (long)CURLUSESSL_TRY)
			return (CHAN_MAIL_NO_TLS);
		return (0);
	}
	if (!login || code / 100 != 2)
		return (0);
	if (strcmp(job->command, "HELO") == 0)
		return (last ? CHAN_MAIL_NO_AUTH : 0);
	if (strcmp(job->command, "EHLO") != 0)
		return (0);
	/* The capabilities as libcurl reads them: "AUTH ", "STARTTLS". */
	if (len >= 5 && memcmp(text, "AUTH ", 5) == 0)
		w->ehlo_auth = 1;
	if (len >= 8 && memcmp(text, "STARTTLS", 8) == 0)
		w->ehlo_starttls = 1;
	if (!last || w->ehlo_auth)
		return (0);
	/* libcurl turns to TLS first, then asks again. */
	if (w->ehlo_starttls && !w->tls)
		return (0);
	return (CHAN_MAIL_NO_AUTH);
}

/*
 * CURLOPT_HEADERFUNCTION: libcurl hands over the server's reply lines.
 * Follow what the server offers, and keep the latest refusal (4xx, 5xx)
 * to say what the server said.  Returning less than n stops the
 * transfer before the next command goes.
 */
static size_t
chan_mail_header(char *buf, size_t size, size_t nitems, void *arg)
{
	struct chan_mail_job	*job = arg;
	size_t			 n = size * nitems, i, j;
	long			 code;
	int			 stop;

	if (n < 4 || buf[0] < '1' || buf[0] > '5' || buf[1] < '0' ||
	    buf[1] > '9' || buf[2] < '0' || buf[2] > '9' ||
	    (buf[3] != ' ' && buf[3] != '-' && buf[3] != '\r' &&
	    buf[3] != '\n'))
		return (n);
	code = (buf[0] - '0') * 100 + (buf[1] - '0') * 10 + (buf[2] - '0');
	stop = chan_mail_offered(job, code, buf + 4, n - 4, buf[3] != '-');
	if (stop != 0) {
		job->noauth = stop;
		return (0);
	}
	if (code < 400)
		return (n);
	job->reply_code = code;
	memcpy(job->refused, job->command, sizeof job->refused);
	/* The text after the code, printable ASCII only. */
	for (i = 4, j = 0; i < n && j < sizeof job->reply - 1; i++) {
		if (buf[i] == '\r' || buf[i] == '\n')
			break;
		job->reply[j++] = buf[i] >= 0x20 && buf[i] < 0x7f ?
		    buf[i] : '?';
	}
	job->reply[j] = '\0';
	return (n);
}

/*
 * CURLOPT_XFERINFOFUNCTION: stop when convened stops.  libcurl asks at
 * least once a second, even while it waits for a reply.
 */
static int
chan_mail_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	(void)arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return (__atomic_load_n(&cm.stopping, __ATOMIC_RELAXED));
}

/*
 * CURLOPT_DEBUGFUNCTION: note the command each reply answers, so that a
 * refusal of the sender (MAIL) is told from one of the recipient.
 */
static int
chan_mail_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct chan_mail_job	*job = arg;
	size_t			 n;

	(void)easy;
	if (type != CURLINFO_HEADER_OUT)
		return (0);
	for (n = 0; n < size && n < sizeof job->command - 1 &&
	    data[n] >= 'A' && data[n] <= 'Z'; n++)
		job->command[n] = data[n];
	job->command[n] = '\0';
	/* A new EHLO, after STARTTLS: what it offers now. */
	if (strcmp(job->command, "EHLO") == 0) {
		job->w->ehlo_auth = 0;
		job->w->ehlo_starttls = 0;
	}
	return (0);
}

/* CURLOPT_OPENSOCKETFUNCTION: note the socket, to cut it when stopping. */
static curl_socket_t
chan_mail_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct chan_mail_worker	*w = arg;
	curl_socket_t		 fd;

	(void)purpose;
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (fd != CURL_SOCKET_BAD) {
		w->fd = fd;
		/* A new connection: nothing offered yet. */
		w->tls = strncasecmp(w->job->set->url, "smtps:", 6) == 0;
		w->ehlo_auth = 0;
		w->ehlo_starttls = 0;
	}
	return (fd);
}

static int
chan_mail_closesocket(void *arg, curl_socket_t fd)
{
	struct chan_mail_worker	*w = arg;

	if (w->fd == fd)
		w->fd = CURL_SOCKET_BAD;
	return (close(fd));
}

/*
 * One message, on a worker: the easy handle blocks until it is over and
 * keeps the connection for the next (curl_easy_reset leaves it open).
 */
static void
chan_mail_perform(struct chan_mail_worker *w, struct chan_mail_job *job)
{
	const struct chan_mail_set	*set = job->set;
	CURL				*easy = w->easy;
	long				 connect;
	int				 result;

	w->job = job;
	job->w = w;
	curl_easy_reset(easy);
	curl_easy_setopt(easy, CURLOPT_URL, set->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	curl_easy_setopt(easy, CURLOPT_MAIL_FROM, set->sender);
	curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, job->rcpt);
	curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(easy, CURLOPT_READFUNCTION, chan_mail_read);
	curl_easy_setopt(easy, CURLOPT_READDATA, job);
	curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, chan_mail_seek);
	curl_easy_setopt(easy, CURLOPT_SEEKDATA, job);
	curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, chan_mail_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, job);
	curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, chan_mail_progress);
	curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, job->error);
	curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, chan_mail_debug);
	curl_easy_setopt(easy, CURLOPT_DEBUGDATA, job);
	curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, chan_mail_socket);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, w);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION,
	    chan_mail_closesocket);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, w);
	/* A thread: time-outs without SIGALRM. */
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	/* One connection a worker, even after a reload names a new server. */
	curl_easy_setopt(easy, CURLOPT_MAXCONNECTS, 1L);
	/* smtps:// is TLS from the start whatever this says. */
	curl_easy_setopt(easy, CURLOPT_USE_SSL, set->tls);
	if (*set->user != '\0') {
		curl_easy_setopt(easy, CURLOPT_USERNAME, set->user);
		curl_easy_setopt(easy, CURLOPT_PASSWORD,
		    set->password != NULL ? set->password : "");
	}
	connect = set->timeout < CHAN_MAIL_CONNECT ? set->timeout :
	    CHAN_MAIL_CONNECT;
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, set->timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, set->timeout);
	result = curl_easy_perform(easy);
	/*
	 * After a failure the connection may be mid-reply (a server that
	 * stalled after DATA): cut it, so that neither a reuse nor the QUIT
	 * of closing it waits on that server again.
	 */
	if (result != CURLE_OK && w->fd != CURL_SOCKET_BAD)
		shutdown(w->fd, SHUT_RDWR);
	job->result = result;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &job->code);
	job->ran = 1;
	job->w = NULL;
	w->job = NULL;
}

/*
 * Let go of the connection.  When convened stops, the socket is shut
 * first: libcurl's QUIT would otherwise wait for a stalled server as long
 * as its default response time-out.
 */
static void
chan_mail_close(struct chan_mail_worker *w, int stopping)
{
	if (stopping && w->fd != CURL_SOCKET_BAD)
		shutdown(w->fd, SHUT_RDWR);
	if (w->easy != NULL)
		curl_easy_cleanup(w->easy);
}

/* A worker: one connection, one message at a time, until told to stop. */
static void *
chan_mail_worker(void *arg)
{
	struct chan_mail_job	*job;
	struct chan_mail_worker	 w;
	int			 was_empty, stopping;

	(void)arg;
	memset(&w, 0, sizeof w);
	w.fd = CURL_SOCKET_BAD;
	w.easy = curl_easy_init();
	pthread_mutex_lock(&cm.lock);
	for (;;) {
		while (!cm.stopping && cm.serving <= cm.wanted &&
		    TAILQ_EMPTY(&cm.queue))
			pthread_cond_wait(&cm.wake, &cm.lock);
		/* Fewer connections wanted since a reload: one goes. */
		if (cm.stopping || cm.serving > cm.wanted)
			break;
		job = TAILQ_FIRST(&cm.queue);
		TAILQ_REMOVE(&cm.queue, job, entry);
		pthread_mutex_unlock(&cm.lock);

		if (w.easy != NULL)
			chan_mail_perform(&w, job);
		else {
			job->result = CURLE_OUT_OF_MEMORY;
			job->ran = 1;
		}

		pthread_mutex_lock(&cm.lock);
		was_empty = TAILQ_EMPTY(&cm.finished);
		TAILQ_INSERT_TAIL(&cm.finished, job, entry);
		/* One byte wakes the loop for all that finish meanwhile. */
		if (was_empty && cm.notify != -1)
			(void)write(cm.notify, "", 1);
	}
	cm.serving--;
	stopping = cm.stopping;
	pthread_mutex_unlock(&cm.lock);
	chan_mail_close(&w, stopping);
	pthread_mutex_lock(&cm.lock);
	cm.alive--;
	pthread_cond_broadcast(&cm.gone);
	pthread_mutex_unlock(&cm.lock);
	return (NULL);
}

/* As many workers as connections wanted; extra ones leave by themselves. */
static int
chan_mail_workers(size_t n, char **cause)
{
	pthread_attr_t	attr;
	pthread_t	t;
	int		error = 0;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&cm.lock);
	cm.wanted = n;
	while (cm.serving < cm.wanted) {
		if ((error = pthread_create(&t, &attr, chan_mail_worker,
		    NULL)) != 0)
			break;
		cm.serving++;
		cm.alive++;
	}
	pthread_cond_broadcast(&cm.wake);
	pthread_mutex_unlock(&cm.lock);
	pthread_attr_destroy(&attr);
	if (error != 0) {
		cause_set(cause, "mail: cannot start a worker thread: %s",
		    strerror(error));
		return (-1);
	}
	return (0);
}

/* What libcurl said, in a few words. */
static const char *
chan_mail_error(struct chan_mail_job *job)
{
	return (*job->error != '\0' ? job->error :
	    curl_easy_strerror((CURLcode)job->result));
}

/* A TLS failure of any kind. */
static int
chan_mail_tls_error(int result)
{
	switch (result) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
		return (1);
	}
	return (0);
}

/* The server's code, and its words when it gave them. */
static char *
chan_mail_said(struct chan_mail_job *job, const char *gloss)
{
	if (job->reply_code == job->code && *job->reply != '\0')
		return (xprintf("the mail server said %ld (%s): %s", job->code,
		    gloss, job->reply));
	return (xprintf("the mail server said %ld (%s)", job->code, gloss));
}

/*
 * Decide OK, TEMPFAIL or PERMFAIL from libcurl's result and the server's
 * last reply code (libcurl reports a 4xx or 5xx as CURLE_SEND_ERROR or
 * CURLE_WEIRD_SERVER_REPLY; the code tells which).  *reason is for the
 * outbox and the coordinator; *hint, for the operator, is set for a
 * TEMPFAIL that is the server's trouble rather than convened stopping.
 */
static enum chan_result
chan_mail_outcome(struct chan_mail_job *job, char **reason,
    const char **hint)
{
	long	code = job->code;
	int	result = job->result;

	*reason = NULL;
	*hint = NULL;
	if (result == CURLE_OK)
		return (CHAN_OK);
	if (result == CURLE_ABORTED_BY_CALLBACK) {
		*reason = xstrdup("convened stopped before the mail server "
		    "had the message");
		return (CHAN_TEMPFAIL);
	}
	*hint = "";
	if (job->noauth == CHAN_MAIL_NO_TLS) {
		*reason = xstrdup("the mail server refused STARTTLS and "
		    "offers no AUTH without it, and [mail] smtp_username is "
		    "set, so nothing was sent");
		*hint = "; see to the server's TLS";
		return (CHAN_TEMPFAIL);
	}
	if (job->noauth) {
		*reason = xstrdup("the mail server does not offer AUTH and "
		    "[mail] smtp_username is set, so nothing was sent");
		*hint = "; let the server offer AUTH (some offer it only "
		    "after STARTTLS), or empty smtp_username to send without "
		    "a login";
		return (CHAN_TEMPFAIL);
	}
	if (code == 530 && *job->set->user == '\0') {
		*reason = chan_mail_said(job, "a login is required");
		*hint = "; set [mail] smtp_username and smtp_password_file";
		return (CHAN_TEMPFAIL);
	}
	if (result == CURLE_LOGIN_DENIED || code == 530 || code == 534 ||
	    code == 535 || code == 538) {
		*reason = code >= 400 ? chan_mail_said(job,
		    "the credentials were refused") : xprintf("the mail "
		    "server refused the credentials: %s",
		    chan_mail_error(job));
		*hint = "; check [mail] smtp_username and smtp_password_file";
		return (CHAN_TEMPFAIL);
	}
	if (result == CURLE_USE_SSL_FAILED) {
		*reason = xstrdup("TLS is unavailable: the mail server does "
		    "not offer STARTTLS and starttls = required, so nothing "
		    "was sent");
		return (CHAN_TEMPFAIL);
	}
	/*
	 * A refusal of the recipient or of this message is the message's;
	 * one of the sender, or of the session, would refuse every message
	 * alike and needs an operator, not the member's next channel.
	 */
	if (code >= 500 && code < 600 && strcmp(job->refused, "RCPT") != 0 &&
	    strcmp(job->refused, "DATA") != 0) {
		*reason = chan_mail_said(job, strcmp(job->refused,
		    "MAIL") == 0 ? "the sender was refused" : "refused");
		*hint = "; check [mail] from";
		return (CHAN_TEMPFAIL);
	}
	if (code >= 500 && code < 600) {
		*reason = chan_mail_said(job, "refused");
		*hint = NULL;
		return (CHAN_PERMFAIL);
	}
	if (code >= 400 && code < 500)
		*reason = chan_mail_said(job, "try again later");
	else if (result == CURLE_OPERATION_TIMEDOUT)
		*reason = xprintf("the mail server did not take the message "
		    "within %ld seconds", job->set->timeout);
	else if (result == CURLE_COULDNT_CONNECT ||
	    result == CURLE_COULDNT_RESOLVE_HOST)
		*reason = xprintf("the mail server cannot be reached: %s",
		    chan_mail_error(job));
	else if (chan_mail_tls_error(result))
		*reason = xprintf("TLS with the mail server failed: %s",
		    chan_mail_error(job));
	else if (result == CURLE_WEIRD_SERVER_REPLY && code != 0)
		*reason = xprintf("the mail server's reply made no sense "
		    "(code %ld)", code);
	else if (result == CURLE_WEIRD_SERVER_REPLY)
		*reason = xprintf("the mail server's reply made no sense: %s",
		    chan_mail_error(job));
	else
		*reason = xprintf("the mail server connection failed: %s",
		    chan_mail_error(job));
	return (CHAN_TEMPFAIL);
}

/*
 * What a failure is, for telling one trouble from the next: the
 * server's code when it gave one, else libcurl's result.
 */
static char *
chan_mail_cause(struct chan_mail_job *job)
{
	if (job->noauth)
		return (xprintf("no AUTH %d", job->noauth));
	if (job->code >= 400 && job->code < 600)
		return (xprintf("code %ld", job->code));
	return (xprintf("curl %d", job->result));
}

/* Tell the outbox, on the loop, and the operator of any trouble. */
static void
chan_mail_report(struct chan_mail_job *job)
{
	enum chan_result	 r;
	const char		*hint;
	char			*reason, *cause;

	r = chan_mail_outcome(job, &reason, &hint);
	if (r == CHAN_OK)
		chan_trouble_ok(cm.trouble);
	else if (r == CHAN_PERMFAIL)
		chan_trouble_refused(cm.trouble, job->id, reason);
	else if (hint != NULL) {
		cause = chan_mail_cause(job);
		chan_trouble_fail(cm.trouble, cause, "%s%s", reason, hint);
		free(cause);
	}
	cm.inflight--;
	job->done(job->arg, r, r == CHAN_OK ? job->message_id : NULL, reason);
	free(reason);
	chan_mail_job_free(job);
}

/* The pipe says transfers have finished: report each. */
static void
chan_mail_collect(evutil_socket_t fd, short events, void *arg)
{
	struct chan_mail_jobs	 done;
	struct chan_mail_job	*job;
	char			 buf[64];

	(void)events;
	(void)arg;
	while (read(fd, buf, sizeof buf) > 0)
		;
	TAILQ_INIT(&done);
	pthread_mutex_lock(&cm.lock);
	TAILQ_CONCAT(&done, &cm.finished, entry);
	pthread_mutex_unlock(&cm.lock);
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		chan_mail_report(job);
	}
}

/* The pipe and its event, once. */
static int
chan_mail_start(struct event_base *base, char **cause)
{
	int	p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		cause_set(cause, "mail: pipe: %s", strerror(errno));
		return (-1);
	}
	cm.ev = event_new(base, p[0], EV_READ | EV_PERSIST, chan_mail_collect,
	    NULL);
	if (cm.ev == NULL || event_add(cm.ev, NULL) != 0) {
		if (cm.ev != NULL)
			event_free(cm.ev);
		cm.ev = NULL;
		close(p[0]);
		close(p[1]);
		cause_set(cause, "mail: cannot watch the workers' pipe");
		return (-1);
	}
	cm.pipe_r = p[0];
	pthread_mutex_lock(&cm.lock);
	TAILQ_INIT(&cm.queue);
	TAILQ_INIT(&cm.finished);
	cm.stopping = 0;
	cm.notify = p[1];
	pthread_mutex_unlock(&cm.lock);
	cm.started = 1;
	return (0);
}

/*
 * Start, or take a reloaded configuration: the connections and what is
 * in flight stay; nothing changes when the new settings are refused.
 */
static int
chan_mail_init(struct event_base *base, const struct config *conf,
    char **cause)
{
	struct chan_mail_set	*set;
	char			*password = NULL, *sender;

	sender = mime_envelope(conf->mail_from);
	if (!chan_mail_address_ok(sender)) {
		cause_set(cause, "[mail] from: '%s' is not an email address",
		    conf->mail_from);
		free(sender);
		return (-1);
	}
	if (*conf->smtp_password_file != '\0' &&
	    (password = chan_mail_secret(conf->smtp_password_file,
	    cause)) == NULL) {
		free(sender);
		return (-1);
	}
	if (curlev_global_init(cause) != 0 ||
	    (!cm.started && chan_mail_start(base, cause) != 0)) {
		if (password != NULL)
			sodium_memzero(password, strlen(password));
		free(password);
		free(sender);
		return (-1);
	}
	if (cm.trouble == NULL)
		cm.trouble = chan_trouble_create("mail");
	set = xcalloc(1, sizeof *set);
	set->refs = 1;
	set->url = xstrdup(conf->smtp_url);
	set->user = xstrdup(conf->smtp_username);
	set->password = password;
	set->from = xstrdup(conf->mail_from);
	set->sender = xprintf("<%s>", sender);
	free(sender);
	set->tls = strcmp(conf->smtp_starttls, "optional") == 0 ?
	    (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL;
	set->timeout = conf->smtp_timeout;
	chan_mail_set_release(cm.set);
	cm.set = set;
	return (chan_mail_workers((size_t)conf->smtp_max_connections, cause));
}

static void
chan_mail_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	struct chan_mail_job	*job;
	char			*rcpt;

	if (cm.set == NULL) {
		done(arg, CHAN_TEMPFAIL, NULL, "the mail channel is not set "
		    "up");
		return;
	}
	if (m->to == NULL || !chan_mail_address_ok(m->to)) {
		done(arg, CHAN_PERMFAIL, NULL, "not a usable email address");
		return;
	}
	job = xcalloc(1, sizeof *job);
	job->set = cm.set;
	job->id = m->id;
	cm.set->refs++;
	job->done = done;
	job->arg = arg;
	job->data = mime_message(m, cm.set->from, clock_now());
	job->len = strlen(job->data);
	job->message_id = xstrdup(m->message_id != NULL ? m->message_id : "");
	rcpt = xprintf("<%s>", m->to);
	job->rcpt = curl_slist_append(NULL, rcpt);
	free(rcpt);
	if (job->rcpt == NULL) {
		done(arg, CHAN_TEMPFAIL, NULL, "libcurl: out of memory");
		chan_mail_job_free(job);
		return;
	}
	cm.inflight++;
	pthread_mutex_lock(&cm.lock);
	TAILQ_INSERT_TAIL(&cm.queue, job, entry);
	pthread_cond_signal(&cm.wake);
	pthread_mutex_unlock(&cm.lock);
}

static size_t
chan_mail_inflight(void)
{
	return (cm.inflight);
}

/*
 * Stop the workers (a transfer under way is cut short within a second)
 * and tell TEMPFAIL for everything not finished: its row is resent after
 * the restart.
 */
static void
chan_mail_shutdown(void)
{
	struct chan_mail_jobs	 left;
	struct chan_mail_job	*job;
	struct timespec		 until;
	int			 stuck = 0;

	if (!cm.started)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CHAN_MAIL_STOP_WAIT;
	TAILQ_INIT(&left);
	pthread_mutex_lock(&cm.lock);
	__atomic_store_n(&cm.stopping, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&cm.wake);
	while (cm.alive > 0 && !stuck)
		stuck = pthread_cond_timedwait(&cm.gone, &cm.lock, &until) ==
		    ETIMEDOUT;
	TAILQ_CONCAT(&left, &cm.finished, entry);
	TAILQ_CONCAT(&left, &cm.queue, entry);
	close(cm.notify);
	cm.notify = -1;
	pthread_mutex_unlock(&cm.lock);
	if (stuck) {
		log_warnx("mail: a connection did not close in %d seconds; "
		    "leaving it", CHAN_MAIL_STOP_WAIT);
		/* Its thread may still be inside libcurl: keep libcurl up. */
		curlev_global_keep();
	}
	while ((job = TAILQ_FIRST(&left)) != NULL) {
		TAILQ_REMOVE(&left, job, entry);
		if (!job->ran)
			job->result = CURLE_ABORTED_BY_CALLBACK;
		chan_mail_report(job);
	}
	event_free(cm.ev);
	cm.ev = NULL;
	close(cm.pipe_r);
	cm.pipe_r = -1;
	chan_mail_set_release(cm.set);
	cm.set = NULL;
	chan_trouble_free(cm.trouble);
	cm.trouble = NULL;
	cm.started = 0;
}

const struct chan_backend chan_mail_backend = {
	"smtp", chan_mail_init, chan_mail_send, chan_mail_inflight,
	chan_mail_shutdown
};
