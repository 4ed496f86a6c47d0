package org.intervene4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Times libtorch's side of the stack a second time, in a child JVM that keeps the machine's own
 * OpenBLAS settings. OpenBLAS picks its kernels once, when the library loads, from
 * {@code OPENBLAS_CORETYPE}; the launcher clears that variable so that the main process races
 * libtorch on the kernels OpenBLAS itself would choose (AVX-512 on Zen 5), and hands the
 * machine's value over in {@value #MACHINE_CORETYPE} (and {@value #MACHINE_L2_SIZE}). A machine
 * that sets {@code OPENBLAS_CORETYPE=Haswell} (this one does) runs every libtorch program on the
 * AVX2 kernels: that is the libtorch its users get, and the one engine issue #2 measured.
 */
final class MachineBlasRun {
    static final String MACHINE_CORETYPE = "INTERVENE4J_MACHINE_OPENBLAS_CORETYPE";
    static final String MACHINE_L2_SIZE = "INTERVENE4J_MACHINE_OPENBLAS_L2_SIZE";
    private static final long TIMEOUT_MINUTES = 15;

    /** Libtorch's median times under the machine's OpenBLAS settings, as the child measured them. */
    record Times(String blas, double forwardMs, double forwardBackwardMs) {}

    private MachineBlasRun() {}

    /**
     * The machine's {@code OPENBLAS_CORETYPE} when it differs from this process's kernel choice
     * (so a second run measures something else), or null.
     */
    static String machineCoreType() {
        String machine = System.getenv(MACHINE_CORETYPE);
        if (machine == null || machine.isBlank()) return null;
        String here = System.getenv("OPENBLAS_CORETYPE");
        return machine.equalsIgnoreCase(here == null ? "" : here) ? null : machine;
    }

    /**
     * Runs {@code bench stack-libtorch} with the same JVM, class path, JVM options and stack
     * options in a child process whose environment restores the machine's OpenBLAS settings.
     *
     * @throws IllegalStateException when the child fails or times out (its output is in the message)
     */
    static Times measure(String coreType, StackConfig c, int threads, int warmup, int runs, long seed) throws Exception {
        File json = File.createTempFile("intervene4j-stack-libtorch", ".json");
        File log = File.createTempFile("intervene4j-stack-libtorch", ".log");
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(BenchMain.class.getName());
            cmd.addAll(List.of("stack-libtorch", "--json", json.getPath(),
                    "--threads", Integer.toString(threads), "--warmup", Integer.toString(warmup),
                    "--runs", Integer.toString(runs), "--layers", Integer.toString(c.layers()),
                    "--batch", Integer.toString(c.batch()), "--seq", Integer.toString(c.seq()),
                    "--intervene-after", Integer.toString(c.interventionAfter()), "--seed", Long.toString(seed)));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log);
            pb.environment().put("OPENBLAS_CORETYPE", coreType);
            String l2 = System.getenv(MACHINE_L2_SIZE);
            if (l2 != null && !l2.isBlank()) pb.environment().put("OPENBLAS_L2_SIZE", l2);
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("libtorch run with OPENBLAS_CORETYPE=" + coreType + " timed out after "
                        + TIMEOUT_MINUTES + " min; its output:\n" + Files.readString(log.toPath()));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("libtorch run with OPENBLAS_CORETYPE=" + coreType + " exited with "
                        + p.exitValue() + "; its output:\n" + Files.readString(log.toPath()));
            }
            JsonNode r = BenchMain.JSON.readTree(json);
            return new Times(r.get("libtorch_blas").asText(), r.get("libtorch_forward_ms").asDouble(),
                    r.get("libtorch_forward_backward_ms").asDouble());
        } finally {
            json.delete();
            log.delete();
        }
    }
}
