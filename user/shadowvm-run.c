// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm-run: run a flat guest image on /dev/shadowvm, entered in 64-bit
 * long mode, in 32-bit protected mode with 2-level or PAE paging, or with
 * paging off.
 *
 * The loader (lib/guest.c) and the device model (lib/devices.c) do not
 * know about shadowvm; the VM/vCPU layer is a backend (lib/backend.h):
 * shadowvm's ioctls by default, or KVM with --backend=kvm, so the same
 * guest runs the same way on both (Documentation/differential.rst).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/backend.h"
#include "lib/devices.h"
#include "lib/guest.h"
#include "lib/version.h"

/*
 * The launcher's own exit statuses are even: a guest's debug exit is
 * always odd ((V << 1) | 1), so a script tells "the guest said FAIL" from
 * "the launcher could not run it". Documentation/man/shadowvm-run.1 has
 * the table.
 */
#define EXIT_USAGE		2	/* bad option or argument */
#define EXIT_SETUP_ERROR	4	/* could not build or start the VM */
#define EXIT_GUEST_ERROR	6	/* bad guest exit or RUN failed */

static const char usage_text[] =
"Usage: shadowvm-run [OPTIONS] IMAGE\n"
"Run a flat guest image on /dev/shadowvm (VMX, shadow paging).\n"
"\n"
"  -m, --mem SIZE     guest RAM at guest-physical 0: MiB, or with a k/M/G\n"
"                     suffix (default 64M; 2M to 4G, a 4 KiB multiple)\n"
"  -l, --load ADDR    load address of IMAGE and entry point (default\n"
"                     0x100000; must be at least 0x80000)\n"
"      --mode MODE    entry mode: 'long' (default), 'pae', '32' or 'unpaged'\n"
"  -s, --stats        print the VM's statistics by name on stderr at the end\n"
"                     (with run_time_ns: host time spent inside RUN)\n"
"      --backend B    'shadowvm' (default) or 'kvm': the same VM on /dev/kvm\n"
"                     (kvm_intel loaded with ept=0, for comparisons)\n"
"      --guest-arg N  put N in RDX at entry (EDX for 32-bit guests;\n"
"                     default 0): a parameter for the guest\n"
"  -h, --help         this text\n"
"  -V, --version      the version of shadowvm-run and of the ioctl API\n"
"\n"
"The guest starts in 64-bit long mode at the load address with interrupts\n"
"off, RDI = RAM size, RSI = load address, RSP = 0x80000. Guest-physical\n"
"layout set up by the launcher:\n"
"  0x1000   GDT: 0x08 64-bit code, 0x10 data, 0x18 32-bit code, 0x20 TSS\n"
"  0x2000   IDT (empty: install your own before faulting)\n"
"  0x3000   TSS\n"
"  0x10000  PML4 (CR3); 0x11000 PDPT; 0x12000-0x15fff page directories:\n"
"           0-4 GiB identity-mapped with 2 MiB pages, supervisor, RW\n"
"  0x20000-0x80000  stack\n"
"With --mode=unpaged the guest starts in 32-bit protected mode with paging\n"
"off instead: CS 0x18 (flat 4 GiB, 32-bit), data 0x10, CR0 = PE|MP|ET|NE,\n"
"CR4 = 0, EFER = 0, EIP = load address, ESP = 0x80000, EDI = RAM size,\n"
"ESI = load address; same GDT, IDT and TSS, no page tables (the guest\n"
"builds its own and may switch to any paging mode itself).\n"
"With --mode=32 it starts the same way with 2-level paging on: CR0 adds\n"
"PG|WP, CR4 = PSE, CR3 = 0x10000, a page directory of 4 MiB pages\n"
"identity-mapping 0-4 GiB (P|RW). With --mode=pae: CR0 adds PG|WP, CR4 =\n"
"PAE, EFER = NXE, CR3 = 0x11000, a PDPT of 4 entries pointing at the page\n"
"directories at 0x12000-0x15fff (2 MiB pages, as in long mode).\n"
"Accesses above RAM (below 4 GiB) are MMIO: reads all ones, writes ignored.\n"
"\n"
"Devices: 16550 UART at 0x3f8 (output to stdout, LSR reads 0x60); debug\n"
"exit port 0xf4: writing V ends the run with exit status (V << 1) | 1.\n"
"Other I/O ports read all ones and ignore writes.\n"
"\n"
"Exit status: 0 guest executed HLT; (V << 1) | 1 (odd) debug exit;\n"
"2 usage error; 4 setup error (guest RAM, image, /dev/shadowvm or VM\n"
"creation); 6 triple fault, failed VM entry, internal error or the run\n"
"ioctl failed, e.g. EIO when the host is going down (reason and registers\n"
"on stderr). SIGINT, SIGTERM or SIGHUP stop the guest and the launcher\n"
"dies of the same signal; other signals have their default action.\n";

/* A bad command line: one line saying what, one saying where to look. */
static int usage_error(const char *fmt, const char *arg)
{
	if (fmt) {
		fputs("shadowvm-run: ", stderr);
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
	fputs("Try 'shadowvm-run --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void dump_segment(const char *name, const struct shadowvm_segment *s)
{
	fprintf(stderr, "%-4s sel=%04x base=%016" PRIx64 " limit=%08x type=%x p=%u dpl=%u db=%u s=%u l=%u g=%u%s\n",
		name, s->selector, (uint64_t)s->base, s->limit, s->type,
		s->present, s->dpl, s->db, s->s, s->l, s->g,
		s->unusable ? " unusable" : "");
}

static void dump_state(struct vmb *b)
{
	struct shadowvm_regs r;
	struct shadowvm_sregs s;

	if (b->ops->get_regs(b, &r) == 0) {
		fprintf(stderr,
			"rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
			"rsi=%016llx rdi=%016llx rsp=%016llx rbp=%016llx\n"
			"r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n"
			"r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n"
			"rip=%016llx rflags=%016llx\n",
			r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp,
			r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
			r.rip, r.rflags);
	}
	if (b->ops->get_sregs(b, &s) == 0) {
		dump_segment("cs", &s.cs);
		dump_segment("ds", &s.ds);
		dump_segment("es", &s.es);
		dump_segment("fs", &s.fs);
		dump_segment("gs", &s.gs);
		dump_segment("ss", &s.ss);
		dump_segment("tr", &s.tr);
		dump_segment("ldt", &s.ldt);
		fprintf(stderr,
			"gdt=%016llx/%04x idt=%016llx/%04x\n"
			"cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx\n"
			"cr8=%016llx efer=%016llx\n",
			s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit,
			s.cr0, s.cr2, s.cr3, s.cr4, s.cr8, s.efer);
	}
}

/*
 * "statistics:" and one "  name value" line each: the same form for both
 * backends, so scripts read either (Documentation/differential.rst).
 */
static void print_stats(struct vmb *b)
{
	struct vmb_stat st[512];
	int i, n = vmb_stats(b, st, 512);

	if (n < 0) {
		fprintf(stderr, "shadowvm-run: %s\n", b->err);
		return;
	}
	fprintf(stderr, "statistics:\n");
	for (i = 0; i < n; i++)
		fprintf(stderr, "  %-26s %" PRIu64 "\n", st[i].name, st[i].val);
}

/* Explain the exit that ended the run on stderr. */
static void report_bad_exit(struct vmb *b, const struct vmb_exit *e)
{
	uint32_t i;

	fprintf(stderr, "shadowvm-run: guest stopped: %s (%s exit reason %u)\n",
		b->ops->exit_name(e->raw_reason), b->ops->name, e->raw_reason);
	switch (e->reason) {
	case SHADOWVM_EXIT_SHUTDOWN:
		fprintf(stderr, "  triple fault\n");
		break;
	case SHADOWVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "  hardware entry failure reason %#" PRIx64 " on cpu %u\n",
			e->fail_entry.reason, e->fail_entry.cpu);
		break;
	case SHADOWVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "  suberror %u (%s), %u data words\n",
			e->internal.suberror,
			b->ops->suberror_name(e->internal.suberror),
			e->internal.ndata);
		for (i = 0; i < e->internal.ndata; i++)
			fprintf(stderr, "  data[%u] = %#" PRIx64 "\n", i,
				e->internal.data[i]);
		break;
	}
	dump_state(b);
}

/*
 * Enter the guest until it stops. Returns the process exit status, or
 * -signal when a stop signal arrived.
 */
static int run_loop(struct vmb *b, struct devices *dev)
{
	struct vmb_exit e;

	for (;;) {
		int err = vmb_run(b, &e);
		uint32_t n;

		if (err == -EINTR) {
			if (stop_signal)
				return -stop_signal;
			continue;	/* e.g. SIGSTOP, then SIGCONT: go on */
		}
		if (err) {
			fprintf(stderr, "shadowvm-run: %s\n", b->err);
			dump_state(b);
			return EXIT_GUEST_ERROR;
		}
		switch (e.reason) {
		case SHADOWVM_EXIT_IO:
			for (n = 0; n < e.io.count; n++)
				devices_pio(dev, e.io.port, e.io.size, e.io.out,
					    e.io.data + n * e.io.size);
			if (dev->exit_requested)
				return dev->exit_status;
			break;
		case SHADOWVM_EXIT_MMIO:
			devices_mmio(dev, e.mmio.addr, e.mmio.len,
				     e.mmio.is_write, e.mmio.data);
			break;
		case SHADOWVM_EXIT_HLT:
			return 0;
		case SHADOWVM_EXIT_INTR:
			if (stop_signal)
				return -stop_signal;
			break;
		default:
			report_bad_exit(b, &e);
			return EXIT_GUEST_ERROR;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "load", required_argument, NULL, 'l' },
		{ "stats", no_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'M' },
		{ "backend", required_argument, NULL, 'B' },
		{ "guest-arg", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t mem_size = 64ULL << 20, load = GUEST_LOAD_DEFAULT;
	bool stats = false;
	enum guest_mode mode = GUEST_MODE_LONG;
	struct guest_mem mem = { 0 };
	struct shadowvm_sregs sregs;
	struct shadowvm_regs regs;
	const struct vmb_ops *backend = &vmb_shadowvm_ops;
	uint64_t guest_arg = 0;
	struct vmb vm;
	struct devices dev;
	struct sigaction sa;
	int c, err, status;
	long size;

	while ((c = getopt_long(argc, argv, "m:l:shV", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			/* A bare number is MiB, as for QEMU's and kvmtool's -m. */
			if (parse_size_unit(optarg, 20, &mem_size) ||
			    mem_size < GUEST_MEM_MIN ||
			    mem_size > GUEST_MAPPED_TOP || mem_size & 0xfff)
				return usage_error("bad --mem '%s' (MiB or k/M/G suffix; 4 KiB multiple, 2M..4G)",
						   optarg);
			break;
		case 'l':
			if (parse_size(optarg, &load) || load < GUEST_STACK_TOP)
				return usage_error("bad --load '%s' (at least 0x80000)",
						   optarg);
			break;
		case 's':
			stats = true;
			break;
		case 'M':
			if (guest_mode_parse(optarg, &mode))
				return usage_error("bad --mode '%s' (" GUEST_MODE_NAMES ")",
						   optarg);
			break;
		case 'B':
			backend = vmb_find(optarg);
			if (!backend)
				return usage_error("bad --backend '%s' (shadowvm or kvm)",
						   optarg);
			break;
		case 'G':
			if (parse_size(optarg, &guest_arg))
				return usage_error("bad --guest-arg '%s' (a number)",
						   optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("shadowvm-run %s (ioctl API %d)\n",
			       SHADOWVM_VERSION, SHADOWVM_API_VERSION);
			return 0;
		default:
			/* getopt_long() has said what was wrong. */
			return usage_error(NULL, NULL);
		}
	}
	if (optind == argc)
		return usage_error("no IMAGE given", NULL);
	if (optind != argc - 1)
		return usage_error("one IMAGE only; extra argument '%s'",
				   argv[optind + 1]);

	err = guest_mem_alloc(&mem, mem_size);
	if (err) {
		fprintf(stderr, "shadowvm-run: guest memory: %s\n", strerror(-err));
		return EXIT_SETUP_ERROR;
	}
	size = guest_load_file(&mem, argv[optind], load);
	if (size < 0) {
		fprintf(stderr, "shadowvm-run: loading %s at %#" PRIx64 ": %s\n",
			argv[optind], load,
			size == -EFBIG ? "image does not fit in guest RAM" :
			strerror(-size));
		return EXIT_SETUP_ERROR;
	}
	err = guest_setup_mode(&mem, mode, load, &sregs, &regs);
	if (err) {
		fprintf(stderr, "shadowvm-run: guest setup (--mode=%s): %s\n",
			guest_mode_name(mode), strerror(-err));
		return EXIT_SETUP_ERROR;
	}

	/* Same register for every mode: 32-bit guests see its low half in EDX. */
	regs.rdx = guest_arg;

	err = vmb_create(&vm, backend, mem.host, mem.size);
	if (!err)
		err = backend->set_state(&vm, &sregs, &regs);
	if (err) {
		fprintf(stderr, "shadowvm-run: %s\n", vm.err);
		return EXIT_SETUP_ERROR;
	}

	/* No SA_RESTART: RUN must return so the loop can stop. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	devices_init(&dev, stdout, stderr);
	status = run_loop(&vm, &dev);
	fflush(stdout);
	/* KVM forgets its statistics with the VM: read them first. */
	if (stats)
		print_stats(&vm);
	vmb_destroy(&vm);
	if (status < 0) {
		fprintf(stderr, "shadowvm-run: stopped by signal %d\n", -status);
		signal(-status, SIG_DFL);
		raise(-status);
		return 128 - status;
	}
	return status;
}
