package org.intervene4j.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorized twins of {@link UpdateKernels} (same arguments and results). */
final class VectorUpdateKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorUpdateKernels() {}

    static void sgd(float[] p, int po, float[] grad, int go, float[] buf, int n,
                    float lr, float wd, float mu, boolean nesterov, boolean first) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, po + i);
            FloatVector g = FloatVector.fromArray(S, grad, go + i).add(pv.mul(wd));
            if (buf != null) {
                FloatVector b = first ? g : FloatVector.fromArray(S, buf, i).mul(mu).add(g);
                b.intoArray(buf, i);
                g = nesterov ? g.add(b.mul(mu)) : b;
            }
            pv.sub(g.mul(lr)).intoArray(p, po + i);
        }
        UpdateKernels.sgdScalar(p, po, grad, go, buf, i, n, lr, wd, mu, nesterov, first);
    }

    static void adam(float[] p, int po, float[] grad, int go, float[] m, float[] v, int n,
                     float decay, float l2, float b1, float c1, float b2, float c2, float stepSize,
                     float invSqrtBc2, float eps) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector w = FloatVector.fromArray(S, p, po + i);
            FloatVector g = FloatVector.fromArray(S, grad, go + i).add(w.mul(l2));
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(g.mul(c1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(g.mul(g).mul(c2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).mul(invSqrtBc2).add(eps);
            w.mul(decay).sub(mi.mul(stepSize).div(denom)).intoArray(p, po + i);
        }
        UpdateKernels.adamScalar(p, po, grad, go, m, v, i, n, decay, l2, b1, c1, b2, c2, stepSize, invSqrtBc2, eps);
    }
}
