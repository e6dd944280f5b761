// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm-run: run a flat guest image on /dev/shadowvm, entered in 64-bit
 * long mode or in unpaged 32-bit protected mode.
 *
 * The loader (lib/guest.c) and the device model (lib/devices.c) do not
 * know about shadowvm; only this file's VM setup and run loop talk to the
 * ioctl layer (lib/shadowvm.c).
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

#include "lib/devices.h"
#include "lib/guest.h"
#include "lib/shadowvm.h"

#define EXIT_GUEST_ERROR	2	/* SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR */
#define EXIT_SETUP_ERROR	3	/* could not build or start the VM */

static const char usage_text[] =
"Usage: shadowvm-run [OPTIONS] IMAGE\n"
"Run a flat guest image on /dev/shadowvm (VMX, shadow paging).\n"
"\n"
"  -m, --mem SIZE     guest RAM at guest-physical 0 (default 64M; k/M/G\n"
"                     suffixes; at least 2M)\n"
"  -l, --load ADDR    load address of IMAGE and entry point (default\n"
"                     0x100000; must be at least 0x80000)\n"
"      --mode MODE    entry mode: 'long' (default) or 'unpaged'\n"
"  -s, --stats        print the VM's statistics by name on stderr at the end\n"
"  -h, --help         this text\n"
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
"Accesses above RAM (below 4 GiB) are MMIO: reads all ones, writes ignored.\n"
"\n"
"Devices: 16550 UART at 0x3f8 (output to stdout, LSR reads 0x60); debug\n"
"exit port 0xf4: writing V ends the run with exit status (V << 1) | 1.\n"
"Other I/O ports read all ones and ignore writes.\n"
"\n"
"Exit status: 0 guest executed HLT; (V << 1) | 1 debug exit; 2 triple\n"
"fault, failed VM entry or internal error (reason and registers on\n"
"stderr); 3 setup error; killed by the signal that stopped it.\n";

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

static void dump_state(int vcpu_fd)
{
	struct shadowvm_regs r;
	struct shadowvm_sregs s;

	if (svm_get_regs(vcpu_fd, &r) == 0) {
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
	if (svm_get_sregs(vcpu_fd, &s) == 0) {
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

static void print_stats(int vm_fd)
{
	struct shadowvm_stats st;
	unsigned int i;
	int err = svm_get_stats(vm_fd, &st);

	if (err) {
		fprintf(stderr, "shadowvm-run: GET_STATS: %s\n", strerror(-err));
		return;
	}
	fprintf(stderr, "statistics:\n");
	for (i = 0; i < st.nr && i < SHADOWVM_STATS_NR; i++) {
		const char *name = svm_stat_name(i);

		if (name)
			fprintf(stderr, "  %-26s %llu\n", name, st.val[i]);
		else
			fprintf(stderr, "  stat_%-21u %llu\n", i, st.val[i]);
	}
}

/* Explain the exit that ended the run on stderr. */
static void report_bad_exit(int vcpu_fd, struct shadowvm_run *run)
{
	uint32_t i;

	fprintf(stderr, "shadowvm-run: guest stopped: %s (exit reason %u)\n",
		svm_exit_name(run->exit_reason), run->exit_reason);
	switch (run->exit_reason) {
	case SHADOWVM_EXIT_SHUTDOWN:
		fprintf(stderr, "  triple fault\n");
		break;
	case SHADOWVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "  hardware entry failure reason %#llx on cpu %u\n",
			run->fail_entry.hardware_entry_failure_reason,
			run->fail_entry.cpu);
		break;
	case SHADOWVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "  suberror %u (%s), %u data words\n",
			run->internal.suberror,
			run->internal.suberror == SHADOWVM_INTERNAL_ERROR_EMULATION ? "exit not handled" :
			run->internal.suberror == SHADOWVM_INTERNAL_ERROR_SHADOW ? "shadow pool exhausted" :
			run->internal.suberror == SHADOWVM_INTERNAL_ERROR_DELIVERY ? "event delivery failed" :
			"unknown", run->internal.ndata);
		for (i = 0; i < run->internal.ndata && i < 16; i++)
			fprintf(stderr, "  data[%u] = %#llx\n", i,
				run->internal.data[i]);
		break;
	}
	dump_state(vcpu_fd);
}

/*
 * Enter the guest until it stops. Returns the process exit status, or
 * -signal when a stop signal arrived.
 */
static int run_loop(int vcpu_fd, struct shadowvm_run *run,
		    struct devices *dev)
{
	for (;;) {
		int err = svm_run(vcpu_fd);

		if (err == -EINTR) {
			if (stop_signal)
				return -stop_signal;
			continue;	/* a signal we do not stop for */
		}
		if (err) {
			fprintf(stderr, "shadowvm-run: RUN: %s\n", strerror(-err));
			dump_state(vcpu_fd);
			return EXIT_GUEST_ERROR;
		}
		switch (run->exit_reason) {
		case SHADOWVM_EXIT_IO: {
			uint8_t *data = (uint8_t *)run + run->io.data_offset;
			uint32_t n;

			if (run->io.data_offset + (uint64_t)run->io.size *
			    run->io.count > (uint64_t)getpagesize()) {
				fprintf(stderr, "shadowvm-run: IO exit data outside the run page\n");
				return EXIT_GUEST_ERROR;
			}
			for (n = 0; n < run->io.count; n++)
				devices_pio(dev, run->io.port, run->io.size,
					    run->io.direction == SHADOWVM_EXIT_IO_OUT,
					    data + n * run->io.size);
			if (dev->exit_requested)
				return dev->exit_status;
			break;
		}
		case SHADOWVM_EXIT_MMIO:
			devices_mmio(dev, run->mmio.phys_addr, run->mmio.len,
				     run->mmio.is_write, run->mmio.data);
			break;
		case SHADOWVM_EXIT_HLT:
			return 0;
		case SHADOWVM_EXIT_INTR:
			if (stop_signal)
				return -stop_signal;
			break;
		default:
			report_bad_exit(vcpu_fd, run);
			return EXIT_GUEST_ERROR;
		}
	}
}

static const char *create_vm_hint(int err)
{
	switch (err) {
	case -EBUSY:
		return " (another hypervisor, e.g. kvm_intel, owns VMX: unload it)";
	case -EOPNOTSUPP:
		return " (this CPU has no usable VMX)";
	default:
		return "";
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "load", required_argument, NULL, 'l' },
		{ "stats", no_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t mem_size = 64ULL << 20, load = GUEST_LOAD_DEFAULT;
	bool stats = false, unpaged = false;
	struct guest_mem mem = { 0 };
	struct shadowvm_sregs sregs;
	struct shadowvm_regs regs;
	struct shadowvm_run *run;
	struct devices dev;
	struct sigaction sa;
	int c, sys_fd, vm_fd, vcpu_fd, err, status;
	long size;

	while ((c = getopt_long(argc, argv, "m:l:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &mem_size) || mem_size < GUEST_MEM_MIN ||
			    mem_size > GUEST_MAPPED_TOP || mem_size & 0xfff) {
				fprintf(stderr, "shadowvm-run: bad --mem '%s' (4 KiB multiple, 2M..4G)\n",
					optarg);
				return EXIT_SETUP_ERROR;
			}
			break;
		case 'l':
			if (parse_size(optarg, &load) || load < GUEST_STACK_TOP) {
				fprintf(stderr, "shadowvm-run: bad --load '%s' (at least 0x80000)\n",
					optarg);
				return EXIT_SETUP_ERROR;
			}
			break;
		case 's':
			stats = true;
			break;
		case 'M':
			if (!strcmp(optarg, "long")) {
				unpaged = false;
			} else if (!strcmp(optarg, "unpaged")) {
				unpaged = true;
			} else {
				fprintf(stderr, "shadowvm-run: bad --mode '%s' (long or unpaged)\n",
					optarg);
				return EXIT_SETUP_ERROR;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_SETUP_ERROR;
		}
	}
	if (optind != argc - 1) {
		fputs(usage_text, stderr);
		return EXIT_SETUP_ERROR;
	}

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
	if (unpaged)
		err = guest_setup_unpaged(&mem, load, &sregs, &regs);
	else
		err = guest_setup_long_mode(&mem, load, &sregs, &regs);
	if (err) {
		fprintf(stderr, "shadowvm-run: guest setup: %s\n", strerror(-err));
		return EXIT_SETUP_ERROR;
	}

	sys_fd = svm_open_dev();
	if (sys_fd < 0) {
		fprintf(stderr, "shadowvm-run: %s: %s%s\n", SHADOWVM_DEV_PATH,
			strerror(-sys_fd),
			sys_fd == -ENOENT ? " (is shadowvm.ko loaded?)" : "");
		return EXIT_SETUP_ERROR;
	}
	err = svm_api_version(sys_fd);
	if (err != SHADOWVM_API_VERSION) {
		fprintf(stderr, "shadowvm-run: module API version %d, expected %d\n",
			err, SHADOWVM_API_VERSION);
		return EXIT_SETUP_ERROR;
	}
	vm_fd = svm_create_vm(sys_fd);
	if (vm_fd < 0) {
		fprintf(stderr, "shadowvm-run: CREATE_VM: %s%s\n",
			strerror(-vm_fd), create_vm_hint(vm_fd));
		return EXIT_SETUP_ERROR;
	}
	err = svm_set_region(vm_fd, 0, 0, 0, mem.size, mem.host);
	if (err) {
		fprintf(stderr, "shadowvm-run: SET_MEMORY_REGION (%" PRIu64 " bytes): %s%s\n",
			mem.size, strerror(-err),
			err == -ENOMEM || err == -EPERM ?
			" (RLIMIT_MEMLOCK too small? try ulimit -l)" : "");
		return EXIT_SETUP_ERROR;
	}
	vcpu_fd = svm_create_vcpu(vm_fd, 0, &run);
	if (vcpu_fd < 0) {
		fprintf(stderr, "shadowvm-run: CREATE_VCPU: %s\n", strerror(-vcpu_fd));
		return EXIT_SETUP_ERROR;
	}
	err = svm_set_sregs(vcpu_fd, &sregs);
	if (!err)
		err = svm_set_regs(vcpu_fd, &regs);
	if (err) {
		fprintf(stderr, "shadowvm-run: setting the entry state: %s\n",
			strerror(-err));
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
	status = run_loop(vcpu_fd, run, &dev);
	fflush(stdout);
	if (stats)
		print_stats(vm_fd);
	if (status < 0) {
		fprintf(stderr, "shadowvm-run: stopped by signal %d\n", -status);
		signal(-status, SIG_DFL);
		raise(-status);
		return 128 - status;
	}
	return status;
}
