/* test-cgroup.c: CPU lists (util/cpumap.c) and the per-thread child groups of lib/cgroup.c over a fake v1 tree (plain directories and files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cpumap.h"

static void cpu_lists_round_trip(void **state) {
        (void) state;
        uint8_t map[4];
        assert_int_equal(cpumap_parse("0-3,^2,9,17-18", map, sizeof map), 0);
        assert_int_equal(map[0], 0x0b);
        assert_int_equal(map[1], 0x02);
        assert_int_equal(map[2], 0x06);
        assert_int_equal(cpumap_count(map, sizeof map), 6);
        char *s = cpumap_format(map, sizeof map);
        assert_string_equal(s, "0-1,3,9,17-18");
        free(s);
        assert_int_equal(cpumap_parse("1", map, sizeof map), 0);
        s = cpumap_format(map, sizeof map);
        assert_string_equal(s, "1");
        free(s);
        memset(map, 0, sizeof map);
        s = cpumap_format(map, sizeof map);
        assert_string_equal(s, "");
        free(s);
        map[3] = 0x80;
        s = cpumap_format(map, sizeof map);
        assert_string_equal(s, "31");
        free(s);
}

static void cpu_lists_refused(void **state) {
        (void) state;
        uint8_t map[1];
        assert_int_equal(cpumap_parse("", map, sizeof map), -EINVAL);
        assert_int_equal(cpumap_parse("a", map, sizeof map), -EINVAL);
        assert_int_equal(cpumap_parse("3-1", map, sizeof map), -EINVAL);
        assert_int_equal(cpumap_parse("1,", map, sizeof map), -EINVAL);
        assert_int_equal(cpumap_parse("1-", map, sizeof map), -EINVAL);
        assert_int_equal(cpumap_parse("8", map, sizeof map), -ERANGE);
        assert_int_equal(cpumap_parse("99999999999999999999999", map, sizeof map), -ERANGE);
        assert_int_equal(cpumap_parse(NULL, map, sizeof map), -EINVAL);
}

static void put(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static char *slurp(const char *path) {
        static char buf[256];
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* v1: GROUP/vcpu0 in the cpu, cpuacct and cpuset hierarchies, the thread written into each
 * tasks file; the cpuset child takes the guest's CPUs and nodes; removal takes the children. */
static void thread_group_v1(void **state) {
        (void) state;
        char root[] = "/tmp/vb-cgroup-XXXXXX", p[512];
        assert_non_null(mkdtemp(root));
        const char *ctrls[] = { "cpu", "cpuacct", "cpuset", "memory" };
        for (size_t i = 0; i < 4; i++) {
                snprintf(p, sizeof p, "%s/%s/machine.slice/g.scope", root, ctrls[i]);
                char cmd[600];
                snprintf(cmd, sizeof cmd, "mkdir -p %s", p);
                assert_int_equal(system(cmd), 0);
        }
        snprintf(p, sizeof p, "%s/cpuset/machine.slice/g.scope/cpuset.cpus", root);
        put(p, "0-3\n");
        snprintf(p, sizeof p, "%s/cpuset/machine.slice/g.scope/cpuset.mems", root);
        put(p, "0\n");
        /* the kernel creates a new group's files (empty): this fake tree has them beforehand */
        for (size_t i = 0; i < 3; i++) {
                snprintf(p, sizeof p, "%s/%s/machine.slice/g.scope/vcpu0", root, ctrls[i]);
                assert_int_equal(mkdir(p, 0755), 0);
                snprintf(p, sizeof p, "%s/%s/machine.slice/g.scope/vcpu0/tasks", root, ctrls[i]);
                put(p, "");
        }
        snprintf(p, sizeof p, "%s/cpuset/machine.slice/g.scope/vcpu0/cpuset.cpus", root);
        put(p, "\n");
        snprintf(p, sizeof p, "%s/cpuset/machine.slice/g.scope/vcpu0/cpuset.mems", root);
        put(p, "\n");
        VbError err = { 0 };
        pid_t tids[] = { 4242 };
        assert_int_equal(cgroup_thread_group(root, "machine.slice/g.scope", "vcpu0", tids, 1, &err), 0);
        for (size_t i = 0; i < 3; i++) {
                snprintf(p, sizeof p, "%s/%s/machine.slice/g.scope/vcpu0/tasks", root, ctrls[i]);
                assert_string_equal(slurp(p), "4242");
        }
        snprintf(p, sizeof p, "%s/memory/machine.slice/g.scope/vcpu0", root);
        assert_int_equal(access(p, F_OK), -1);  /* memory is per process: no thread groups */
        snprintf(p, sizeof p, "%s/cpuset/machine.slice/g.scope/vcpu0/cpuset.cpus", root);
        assert_string_equal(slurp(p), "0-3");
        snprintf(p, sizeof p, "%s/cpuset/machine.slice/g.scope/vcpu0/cpuset.mems", root);
        assert_string_equal(slurp(p), "0");
        assert_true(cgroup_has_cpuset(root));
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf %s", root);
        assert_int_equal(system(cmd), 0);
}

/* blkiotune plans: v1 files per limit (0 lifts), v2 one io.max line, a weight only with a weight file. */
static void blkio_plans(void **state) {
        (void) state;
        CgroupBlkioDev dev = { .major = 7, .minor = 3, .read_bytes_sec = 1048576, .write_iops_sec = 300 };
        CgroupBlkio b = { 0, &dev, 1 };
        CgroupWrite w[16];
        VbError err = { 0 };
        assert_int_equal(cgroup_blkio_plan(&b, false, NULL, w, 16, &err), 4);
        assert_string_equal(w[0].file, "blkio.throttle.read_bps_device");
        assert_string_equal(w[0].value, "7:3 1048576");
        assert_string_equal(w[1].value, "7:3 0");
        assert_string_equal(w[3].file, "blkio.throttle.write_iops_device");
        assert_string_equal(w[3].value, "7:3 300");
        assert_int_equal(cgroup_blkio_plan(&b, true, NULL, w, 16, &err), 1);
        assert_string_equal(w[0].file, "io.max");
        assert_string_equal(w[0].value, "7:3 rbps=1048576 wbps=max riops=max wiops=300");
        b.weight = 500;
        assert_int_equal(cgroup_blkio_plan(&b, false, NULL, w, 16, &err), -1);
        assert_non_null(strstr(err.message, "blkio weight is not supported on this host"));
        assert_int_equal(cgroup_blkio_plan(&b, false, "blkio.bfq.weight", w, 16, &err), 5);
        assert_string_equal(w[0].file, "blkio.bfq.weight");
        assert_string_equal(w[0].value, "500");
        dev.weight = 200;
        assert_int_equal(cgroup_blkio_plan(&b, false, "blkio.weight", w, 16, &err), 6);
        assert_string_equal(w[1].file, "blkio.weight_device");
        assert_string_equal(w[1].value, "7:3 200");
        b.weight = 50;
        assert_int_equal(cgroup_blkio_plan(&b, false, "blkio.weight", w, 16, &err), -1);
        assert_int_equal(cgroup_blkio_plan(&b, false, "blkio.weight", w, 3, &err), -1);
}

/* qemu.conf cgroup_controllers: only the listed controllers are used. Over a fake v1 tree with
 * cpu, cpuacct, memory and cpuset mounted and only cpu and cpuacct listed: QEMU goes into the
 * cpu and cpuacct groups only, no cpuset to pin with, and a memory write is refused naming the
 * controller (before anything is written). */
static void controllers_listed_only(void **state) {
        (void) state;
        char root[] = "/tmp/vb-cgroup-XXXXXX", p[512], cmd[600];
        assert_non_null(mkdtemp(root));
        const char *ctrls[] = { "cpu", "cpuacct", "memory", "cpuset" };
        for (size_t i = 0; i < 4; i++) {
                snprintf(cmd, sizeof cmd, "mkdir -p %s/%s/machine.slice/g.scope", root, ctrls[i]);
                assert_int_equal(system(cmd), 0);
                snprintf(p, sizeof p, "%s/%s/machine.slice/g.scope/cgroup.procs", root, ctrls[i]);
                put(p, "");
        }
        assert_int_equal(cgroup_controller_bit("io"), (int) CGROUP_CTRL_BLKIO);
        assert_int_equal(cgroup_controller_bit("devices"), -1);
        cgroup_use_controllers(CGROUP_CTRL_CPU | CGROUP_CTRL_CPUACCT);
        VbError err = { 0 };
        assert_int_equal(cgroup_create_for(root, "machine.slice/g.scope", 4242, NULL, 0, &err), 0);
        for (size_t i = 0; i < 4; i++) {
                snprintf(p, sizeof p, "%s/%s/machine.slice/g.scope/cgroup.procs", root, ctrls[i]);
                assert_string_equal(slurp(p), i < 2 ? "4242" : "");
        }
        assert_false(cgroup_has_cpuset(root));
        CgroupMemTune m = { .hard_kib = 1024 };
        CgroupWrite w[CGROUP_MAX_WRITES];
        size_t n = cgroup_memory_plan(&m, false, w);
        assert_true(n > 0);
        assert_int_equal(cgroup_apply(root, "machine.slice/g.scope", w, n, &err), -1);
        assert_non_null(strstr(err.message, "'memory'"));
        assert_int_equal(cgroup_plan_check(w, n, CGROUP_CTRL_ALL, &err), 0);
        cgroup_use_controllers(CGROUP_CTRL_ALL);
        assert_true(cgroup_has_cpuset(root));
        snprintf(cmd, sizeof cmd, "rm -rf %s", root);
        assert_int_equal(system(cmd), 0);
}

/* cpu.time, cpu.user, cpu.system from a fake v1 cpuacct group (ticks of USER_HZ). */
static void cpu_stats_v1(void **state) {
        (void) state;
        char root[] = "/tmp/vb-cgroup-XXXXXX", p[512], cmd[600];
        assert_non_null(mkdtemp(root));
        snprintf(cmd, sizeof cmd, "mkdir -p %s/cpuacct/g", root);
        assert_int_equal(system(cmd), 0);
        snprintf(p, sizeof p, "%s/cpuacct/g/cpuacct.usage", root);
        put(p, "5000000000\n");
        snprintf(p, sizeof p, "%s/cpuacct/g/cpuacct.stat", root);
        put(p, "user 300\nsystem 100\n");
        CgroupCpuStats st;
        assert_int_equal(cgroup_cpu_stats(root, "g", &st), 0);
        uint64_t tick = 1000000000ULL / (uint64_t) sysconf(_SC_CLK_TCK);
        assert_int_equal(st.time_ns, 5000000000ULL);
        assert_int_equal(st.user_ns, 300 * tick);
        assert_int_equal(st.system_ns, 100 * tick);
        assert_int_not_equal(cgroup_cpu_stats(root, "missing", &st), 0);
        snprintf(cmd, sizeof cmd, "rm -rf %s", root);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(cpu_lists_round_trip),
                cmocka_unit_test(cpu_lists_refused),
                cmocka_unit_test(thread_group_v1),
                cmocka_unit_test(blkio_plans),
                cmocka_unit_test(cpu_stats_v1),
                cmocka_unit_test(controllers_listed_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
