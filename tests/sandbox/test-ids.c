/* test-ids.c: which host range the sandbox maps to, from /etc/subuid and
 * /etc/subgid style files (the files are written here, not read from
 * /etc). */
#include "tap.h"

#include "sandbox/sandbox-impl.h"

#include <pwd.h>

static char dir[] = "/tmp/gild-test-ids-XXXXXX";

static void remove_dir(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/subuid", dir), remove(p);
	snprintf(p, sizeof(p), "%s/subgid", dir), remove(p);
	rmdir(dir);
}

__attribute__((constructor)) static void make_dir(void)
{
	if (mkdtemp(dir))
		atexit(remove_dir);
}

static const char *write_file(const char *name, const char *text)
{
	static char path[2][128];
	static int which;
	char *p = path[which++ % 2];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

static bool range(const char *subuid, const char *subgid, unsigned uid,
		  struct sandbox_ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	return sandbox_ids_subid_range(write_file("subuid", subuid),
				       write_file("subgid", subgid), uid, ids);
}

static const struct {
	const char *what, *subuid, *subgid;
	bool found;
	unsigned host_uid, host_gid, count;
} cases[] = {
    {"empty files", "", "", false, 0, 0, 0},
    {"by number", "4242:200000:65536\n", "4242:300000:65536\n", true, 200000,
     300000, 65536},
    {"the smaller count of the two", "4242:200000:65536\n",
     "4242:300000:1000\n", true, 200000, 300000, 1000},
    {"the first entry that matches", "1:5:5\n4242:200000:10\n4242:9:9\n",
     "4242:300000:10\n", true, 200000, 300000, 10},
    {"another user's entries only", "4243:200000:65536\n",
     "4243:300000:65536\n", false, 0, 0, 0},
    {"only one of the two files", "4242:200000:65536\n", "", false, 0, 0, 0},
    {"a zero base is no range", "4242:0:65536\n", "4242:300000:65536\n", false,
     0, 0, 0},
    {"comment-like and short lines skipped",
     "junk\n4242:200000\n"
     "4242:200000:7\n",
     "4242:300000:7\n", true, 200000, 300000, 7},
};

TEST(host_ranges_from_subid_files)
{
	struct sandbox_ids ids;

	for (size_t i = 0; i < GILD_ARRAY_SIZE(cases); i++) {
		bool found =
		    range(cases[i].subuid, cases[i].subgid, 4242, &ids);
		if (!CHECK(found == cases[i].found) ||
		    !CHECK_INTEQ(ids.host_uid, cases[i].host_uid) ||
		    !CHECK_INTEQ(ids.host_gid, cases[i].host_gid) ||
		    !CHECK_INTEQ(ids.count, cases[i].count))
			tap_note("case: %s", cases[i].what);
	}
}

/* The name is looked up (NSS) only when the number did not match. */
TEST(by_user_name)
{
	struct passwd *pw = getpwuid(0);
	struct sandbox_ids ids;
	char uid_line[128], gid_line[128];

	if (!CHECK(pw != NULL))
		return;
	snprintf(uid_line, sizeof(uid_line), "%s:400000:500\n", pw->pw_name);
	snprintf(gid_line, sizeof(gid_line), "0:410000:600\n");
	CHECK(range(uid_line, gid_line, 0, &ids));
	CHECK_INTEQ(ids.host_uid, 400000);
	CHECK_INTEQ(ids.host_gid, 410000);
	CHECK_INTEQ(ids.count, 500);
}
