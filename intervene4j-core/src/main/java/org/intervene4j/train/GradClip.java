package org.intervene4j.train;

import java.util.List;
import org.intervene4j.engine.Tensor;

/** Gradient clipping over parameters' accumulated gradients (parameters without one are skipped). */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm}.
     * The norm is accumulated in double. When it is not finite (NaN or infinite gradients) the
     * gradients are left as they are, so the caller can see the returned value and skip the step.
     *
     * @return the global L2 norm before clipping
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be a finite number > 0, got " + maxNorm);
        }
        double norm = globalNorm(params);
        if (Double.isFinite(norm) && norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                float[] d = g.data();
                for (int i = g.offset(), end = g.offset() + g.numel(); i < end; i++) d[i] *= scale;
            }
        }
        return norm;
    }

    /** The L2 norm of all gradients together (0 when none has a gradient). */
    public static double globalNorm(List<Tensor> params) {
        double sum = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            float[] d = g.data();
            double s = 0;
            for (int i = g.offset(), end = g.offset() + g.numel(); i < end; i++) s += (double) d[i] * d[i];
            sum += s;
        }
        return Math.sqrt(sum);
    }

    /** Clamps every gradient value into {@code [-clip, clip]}. */
    public static void clipGradValue(List<Tensor> params, double clip) {
        if (!(clip > 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("clipGradValue: clip must be a finite number > 0, got " + clip);
        }
        float c = (float) clip;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            float[] d = g.data();
            for (int i = g.offset(), end = g.offset() + g.numel(); i < end; i++) {
                float v = d[i];
                d[i] = v > c ? c : (v < -c ? -c : v);  // NaN passes through unchanged
            }
        }
    }
}
