package org.intervene4j.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of worker threads for data-parallel kernels. The calling thread takes part in
 * the work, so a pool of N threads starts N-1 daemon workers. Nested calls from inside a task
 * run inline, which keeps kernels composable without deadlocks.
 */
public final class WorkerPool {
    /** A range body: processes task indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * How long an idle worker (and a caller waiting for its workers) spins before parking. Waking
     * a parked thread costs 150-200 us on a virtualized 2-core machine (measured: a parallel call
     * after 1-3 ms of idleness took 150-220 us against 9 us after a short gap), more than most
     * kernels of one transformer layer take, so threads stay awake across the short serial
     * stretches between ops. {@code -Dintervene4j.spinMicros} sets it (0: park at once).
     */
    static final long SPIN_NANOS = 1000L * Long.getLong("intervene4j.spinMicros", 2_000L);

    private static volatile WorkerPool global = new WorkerPool(KernelConfig.configuredThreads());
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final int threads;
    private final Worker[] workers;
    /** Held by the one thread currently driving the workers; other callers run inline. */
    private final ReentrantLock dispatch = new ReentrantLock();

    /** Creates a pool that runs work on {@code threads} threads (the caller included). */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("worker pool size must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("intervene4j-worker-" + (i + 1));
            workers[i].start();
        }
    }

    /** The process-wide pool used by every kernel. */
    public static WorkerPool global() {
        return global;
    }

    /** Replaces the process-wide pool with one of {@code threads} threads (benchmarks use this). */
    public static synchronized void setGlobalThreads(int threads) {
        if (global.threads == threads) return;
        WorkerPool old = global;
        global = new WorkerPool(threads);
        old.shutdown();
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, tasks)} split into contiguous chunks, one chunk per
     * thread (at most {@code tasks} chunks). Runs inline when the pool has one thread, when
     * there is one task, or when called from inside a pool task.
     */
    public void parallelFor(int tasks, RangeBody body) {
        if (tasks <= 0) return;
        int parts = Math.min(threads, tasks);
        if (parts == 1 || INSIDE.get() || !dispatch.tryLock()) {
            body.run(0, tasks);
            return;
        }
        try {
            Job job = new Job(tasks, parts, body);
            for (int p = 1; p < parts; p++) {
                workers[p - 1].submit(job, p);
            }
            INSIDE.set(Boolean.TRUE);
            try {
                job.runPart(0);
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
            job.await();
        } finally {
            dispatch.unlock();
        }
    }

    /** Like {@link #parallelFor} but only splits when the work is worth a hand-off. */
    public void parallelFor(int tasks, long workPerTask, RangeBody body) {
        if ((long) tasks * workPerTask < 32_768L) {
            body.run(0, tasks);
        } else {
            parallelFor(tasks, body);
        }
    }

    private void shutdown() {
        for (Worker w : workers) w.interrupt();
    }

    /** One parallelFor call: parts are numbered 0..parts-1 and cover [0, tasks). */
    private static final class Job {
        final int tasks;
        final int parts;
        final RangeBody body;
        final AtomicInteger remaining;
        volatile Throwable failure;
        final Thread owner = Thread.currentThread();

        Job(int tasks, int parts, RangeBody body) {
            this.tasks = tasks;
            this.parts = parts;
            this.body = body;
            this.remaining = new AtomicInteger(parts);
        }

        void runPart(int p) {
            try {
                int from = (int) ((long) tasks * p / parts);
                int to = (int) ((long) tasks * (p + 1) / parts);
                body.run(from, to);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (remaining.decrementAndGet() == 0) LockSupport.unpark(owner);
            }
        }

        void await() {
            long start = 0;
            while (remaining.get() > 0) {
                if (start == 0) start = System.nanoTime();
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 20_000);
                }
            }
            Throwable t = failure;
            if (t instanceof RuntimeException) throw (RuntimeException) t;
            if (t instanceof Error) throw (Error) t;
            if (t != null) throw new IllegalStateException(t);
        }
    }

    /** A daemon thread that runs one part of a job at a time, spinning briefly between jobs. */
    private static final class Worker extends Thread {
        private volatile Job job;
        private volatile int part;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void submit(Job j, int p) {
            part = p;
            job = j;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            INSIDE.set(Boolean.TRUE);
            long idleSince = 0;
            while (!isInterrupted()) {
                Job j = job;
                if (j == null) {
                    long now = System.nanoTime();
                    if (idleSince == 0) idleSince = now;
                    if (now - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                        idleSince = 0;
                    }
                    continue;
                }
                idleSince = 0;
                job = null;
                j.runPart(part);
            }
        }
    }
}
