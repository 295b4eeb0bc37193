/*
 * Fixed-rate DNS query sender for scripts/bench. Loopback only.
 *
 *   bench-sender -p PORT -r RATE -d SECONDS [-a 127.0.0.1] [-n SOURCES]
 *
 * Sends RATE A queries a second for SECONDS to 127.0.0.1:PORT (any
 * 127.0.0.0/8 address with -a), then prints one line:
 *   sent N errors N replies N seconds S
 *
 * With -n SOURCES every query leaves from a different loopback address,
 * 127.1.0.0 + i for i < SOURCES (at most 16,000,000), cycling. The source
 * is set per datagram with IP_PKTINFO (ip(7): ipi_spec_dst), which Linux
 * accepts for any local address, and all of 127.0.0.0/8 is local. Replies
 * to those addresses come back to this socket and are counted.
 *
 * Pacing: every tick sends what is due since the start (sendmmsg, up to
 * BATCH at a time), then sleeps until the next datagram is due, at most
 * 1 ms; the loop ends by the clock whatever happens.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define MAX_SOURCES 16000000L
#define FIRST_SOURCE 0x7f010000u /* 127.1.0.0 */

struct options {
	const char *address;
	int port;
	long rate;
	double seconds;
	long sources;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-sender -p PORT -r RATE -d SECONDS [-a 127.x.y.z] [-n SOURCES]\n");
	exit(2);
}

static struct options parse_options(int argc, char **argv)
{
	struct options o = { "127.0.0.1", 0, 0, 0, 0 };
	int c;
	while ((c = getopt(argc, argv, "a:p:r:d:n:")) != -1) {
		switch (c) {
		case 'a': o.address = optarg; break;
		case 'p': o.port = atoi(optarg); break;
		case 'r': o.rate = atol(optarg); break;
		case 'd': o.seconds = atof(optarg); break;
		case 'n': o.sources = atol(optarg); break;
		default: usage();
		}
	}
	if (o.port < 1 || o.port > 65535 || o.rate < 1 || o.seconds <= 0 || o.seconds > 600)
		usage();
	if (o.sources < 0 || o.sources > MAX_SOURCES)
		usage();
	return o;
}

/* A query for www.example A IN with recursion desired; the ID is set per datagram. */
static const uint8_t QUERY[] = {
	0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	0, 1, 0, 1,
};

struct slot {
	uint8_t query[sizeof QUERY];
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} control;
};

static struct slot slots[BATCH];
static struct mmsghdr messages[BATCH];
static uint8_t drain_buf[BATCH][512];
static struct iovec drain_iov[BATCH];
static struct mmsghdr drain_msgs[BATCH];

static void prepare(struct sockaddr_in *to, int with_source)
{
	for (int i = 0; i < BATCH; i++) {
		struct slot *s = &slots[i];
		memcpy(s->query, QUERY, sizeof QUERY);
		s->iov.iov_base = s->query;
		s->iov.iov_len = sizeof QUERY;
		struct msghdr *m = &messages[i].msg_hdr;
		memset(m, 0, sizeof *m);
		m->msg_name = to;
		m->msg_namelen = sizeof *to;
		m->msg_iov = &s->iov;
		m->msg_iovlen = 1;
		if (with_source) {
			m->msg_control = s->control.buf;
			m->msg_controllen = sizeof s->control.buf;
			struct cmsghdr *c = CMSG_FIRSTHDR(m);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		}
		drain_iov[i].iov_base = drain_buf[i];
		drain_iov[i].iov_len = sizeof drain_buf[i];
		memset(&drain_msgs[i], 0, sizeof drain_msgs[i]);
		drain_msgs[i].msg_hdr.msg_iov = &drain_iov[i];
		drain_msgs[i].msg_hdr.msg_iovlen = 1;
	}
}

/* Fill `count` slots for datagrams number `first`..: ID, and the source address with -n. */
static void fill(long first, int count, long sources)
{
	for (int i = 0; i < count; i++) {
		long n = first + i;
		slots[i].query[0] = (uint8_t)(n >> 8);
		slots[i].query[1] = (uint8_t)n;
		if (sources > 0) {
			struct in_pktinfo info;
			memset(&info, 0, sizeof info);
			info.ipi_spec_dst.s_addr = htonl(FIRST_SOURCE + (uint32_t)(n % sources));
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&messages[i].msg_hdr)), &info, sizeof info);
		}
	}
}

static long drain(int fd)
{
	long got = 0;
	for (int round = 0; round < 64; round++) {
		int n = recvmmsg(fd, drain_msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

int main(int argc, char **argv)
{
	struct options o = parse_options(argc, argv);
	struct sockaddr_in to;
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)o.port);
	/* Loopback only: refuse anything outside 127.0.0.0/8. */
	if (inet_pton(AF_INET, o.address, &to.sin_addr) != 1 || (ntohl(to.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "bench-sender: %s is not a 127.0.0.0/8 address\n", o.address);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	prepare(&to, o.sources > 0);

	long total = (long)((double)o.rate * o.seconds);
	long sent = 0, errors = 0, replies = 0;
	double start = now_seconds();
	double deadline = start + o.seconds + 1.0;
	while (sent + errors < total) {
		double now = now_seconds();
		if (now > deadline)
			break;
		long due = (long)((now - start) * (double)o.rate) + 1;
		if (due > total)
			due = total;
		while (sent + errors < due) {
			long left = due - sent - errors;
			int count = left < BATCH ? (int)left : BATCH;
			fill(sent + errors, count, o.sources);
			int n = sendmmsg(fd, messages, (unsigned)count, 0);
			if (n < 0) {
				errors++;
				continue;
			}
			sent += n;
		}
		replies += drain(fd);
		double next = start + (double)(sent + errors + 1) / (double)o.rate;
		double wait = next - now_seconds();
		if (wait > 0.001)
			wait = 0.001;
		if (wait > 0) {
			struct timespec ts = { 0, (long)(wait * 1e9) };
			nanosleep(&ts, NULL);
		}
	}
	double elapsed = now_seconds() - start;
	/* Replies still on their way: a short, bounded wait. */
	for (int i = 0; i < 20; i++) {
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
		replies += drain(fd);
	}
	close(fd);
	printf("sent %ld errors %ld replies %ld seconds %.3f\n", sent, errors, replies, elapsed);
	return 0;
}
