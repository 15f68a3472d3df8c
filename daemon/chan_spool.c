/*
 * chan_spool.c: the channel used until a mail server or SMS gateway is
 * configured.  Each delivery attempt becomes its own file, named by the
 * outbox row's stable id and the attempt number, written under a
 * temporary name and renamed into place: a file is never overwritten, so
 * a resend after a crash shows up as a second file instead of hiding.
 * A temporary file left by a kill is removed when the channel starts.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "convene.h"
#include "log.h"
#include "mime.h"
#include "util.h"

static char	*chan_spool_mail;
static char	*chan_spool_sms;
static char	*chan_spool_from;

/*
 * Remove the temporary files a kill left in a spool: each would stop its
 * attempt from ever being written again (O_EXCL), and none is a message.
 */
static void
chan_spool_clean(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	size_t		 len, n = 0;

	if ((d = opendir(dir)) == NULL) {
		log_warn("spool: %s", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".tmp") != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == -1)
			log_warn("spool: %s/%s", dir, de->d_name);
		else
			n++;
	}
	closedir(d);
	if (n > 0)
		log_info("spool: removed %zu unfinished temporary file%s "
		    "from %s", n, n == 1 ? "" : "s", dir);
}

static int
chan_spool_init(struct event_base *base, const struct config *conf,
    char **cause)
{
	struct stat	sb;

	(void)base;
	if (stat(conf->mail_spool, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		cause_set(cause, "%s: not a folder", conf->mail_spool);
		return (-1);
	}
	if (stat(conf->sms_spool, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		cause_set(cause, "%s: not a folder", conf->sms_spool);
		return (-1);
	}
	free(chan_spool_mail);
	free(chan_spool_sms);
	free(chan_spool_from);
	chan_spool_mail = xstrdup(conf->mail_spool);
	chan_spool_sms = xstrdup(conf->sms_spool);
	chan_spool_from = xstrdup(conf->mail_from);
	chan_spool_clean(chan_spool_mail);
	if (strcmp(chan_spool_sms, chan_spool_mail) != 0)
		chan_spool_clean(chan_spool_sms);
	return (0);
}

/* The folder's new entry on disk too. */
static void
chan_spool_syncdir(const char *path)
{
	char	*dir = xstrdup(path), *slash;
	int	 fd;

	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static void
chan_spool_send(const struct chan_msg *m, chan_done_cb done, void *arg)
{
	char	*tmp, *path, *text, id[64];
	FILE	*f;
	int	 fd;
	int	 bad;

	if (strcmp(m->channel, "sms") == 0) {
		path = xprintf("%s/%lld.%d.sms", chan_spool_sms, m->id,
		    m->attempt);
		text = xprintf("To: %s\n\n%s", m->to, m->body);
	} else {
		/* Exactly the bytes the SMTP channel would send. */
		path = xprintf("%s/%lld.%d.eml", chan_spool_mail, m->id,
		    m->attempt);
		text = mime_message(m, chan_spool_from, clock_now());
	}
	tmp = xprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		log_warn("spool: %s", tmp);
		done(arg, CHAN_TEMPFAIL, NULL, strerror(errno));
		goto out;
	}
	/* On disk before the row says sent: a power cut loses nothing. */
	bad = fputs(text, f) == EOF || fflush(f) == EOF || fsync(fd) == -1;
	if (fclose(f) == EOF)
		bad = 1;
	if (bad) {
		log_warn("spool: %s", tmp);
		unlink(tmp);
		done(arg, CHAN_TEMPFAIL, NULL, strerror(errno));
		goto out;
	}
	/* link() refuses to replace: an attempt's file is never rewritten. */
	if (link(tmp, path) == -1) {
		log_warn("spool: %s", path);
		unlink(tmp);
		done(arg, CHAN_TEMPFAIL, NULL, strerror(errno));
		goto out;
	}
	unlink(tmp);
	chan_spool_syncdir(path);
	snprintf(id, sizeof id, "spool:%lld.%d", m->id, m->attempt);
	done(arg, CHAN_OK, id, NULL);
out:
	free(tmp);
	free(path);
	free(text);
}

static void
chan_spool_shutdown(void)
{
	free(chan_spool_mail);
	free(chan_spool_sms);
	free(chan_spool_from);
	chan_spool_mail = chan_spool_sms = chan_spool_from = NULL;
}

const struct chan_backend chan_spool_backend = {
	"spool", chan_spool_init, chan_spool_send, NULL, chan_spool_shutdown
};
