package org.intervene4j.cli;

import java.util.Locale;
import org.intervene4j.engine.kernel.KernelConfig;
import org.intervene4j.engine.kernel.WorkerPool;
import picocli.CommandLine.IVersionProvider;

/** {@code intervene4j --version}: the release, and the Java and kernels it runs on. */
public final class Version implements IVersionProvider {
    /** Kept in step with the poms' version (the jar manifest carries it when configured). */
    private static final String FALLBACK = "0.1.0-SNAPSHOT";

    /** The intervene4j version. */
    public static String number() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : FALLBACK;
    }

    @Override
    public String[] getVersion() {
        String kernels = KernelConfig.vectorized()
                ? "vector (" + vectorBits() + "-bit)"
                : "scalar" + (KernelConfig.vectorApiAvailable() ? "" : " (JVM started without --add-modules jdk.incubator.vector)");
        return new String[] {
            "intervene4j " + number(),
            String.format(Locale.ROOT, "Java %s (%s), %s kernels, %s",
                    Runtime.version(), System.getProperty("java.vm.vendor", "?"), kernels, threads(WorkerPool.global().threads())),
        };
    }

    /** "1 thread", "2 threads". */
    public static String threads(int n) {
        return n + (n == 1 ? " thread" : " threads");
    }

    /** Width of the preferred float vector; only called when the Vector API module is present. */
    private static int vectorBits() {
        return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
