package org.intervene4j.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.testing.GradCheck;
import org.intervene4j.testing.Rand;
import org.junit.jupiter.api.Test;

class IndexingTest {

    @Test
    void embeddingLooksUpRowsWithLeadingShape() {
        Random rng = new Random(1);
        Tensor w = Tensor.randn(rng, 1f, 5, 3);
        int[] ids = {4, 0, 4, 2, 1, 3};
        Tensor e = Ops.embedding(w, ids, 2, 3);
        assertThat(e.shape()).containsExactly(2, 3, 3);
        for (int i = 0; i < ids.length; i++) {
            for (int c = 0; c < 3; c++) assertThat(e.get(i / 3, i % 3, c)).isEqualTo(w.get(ids[i], c));
        }
        assertThat(Ops.embedding(w, ids).shape()).containsExactly(6, 3);
        // a transposed weight view (tied embedding stored as [d, vocab])
        Tensor wt = Rand.transposedView(rng, 5, 3);
        Tensor et = Ops.embedding(wt, new int[] {1, 4});
        for (int c = 0; c < 3; c++) assertThat(et.get(1, c)).isEqualTo(wt.get(4, c));
    }

    @Test
    void embeddingBackwardAccumulatesRepeatedIds() {
        Random rng = new Random(2);
        Tensor w = Rand.param(rng, 4, 70); // 70 columns: more than one column block
        int[] ids = {1, 3, 1, 1};
        Tensor g = Tensor.randn(rng, 1f, 4, 70);
        Ops.embedding(w, ids).backward(g);
        for (int c = 0; c < 70; c++) {
            assertThat(w.grad().get(0, c)).isEqualTo(0f);
            assertThat(w.grad().get(1, c)).isCloseTo(g.get(0, c) + g.get(2, c) + g.get(3, c),
                    org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(w.grad().get(3, c)).isEqualTo(g.get(1, c));
        }
        GradCheck.check("embedding", in -> Ops.embedding(in[0], ids, 2, 2), Rand.param(rng, 4, 3));
    }

    @Test
    void indexSelectGathersAlongAnyDimension() {
        Random rng = new Random(3);
        Tensor x = Tensor.randn(rng, 1f, 3, 4, 5);
        int[] idx = {3, 0, 3};
        Tensor y = Ops.indexSelect(x, 1, idx);
        assertThat(y.shape()).containsExactly(3, 3, 5);
        for (int a = 0; a < 3; a++) {
            for (int i = 0; i < 3; i++) {
                for (int c = 0; c < 5; c++) assertThat(y.get(a, i, c)).isEqualTo(x.get(a, idx[i], c));
            }
        }
        Tensor last = Ops.indexSelect(x.transpose(0, 2), -1, new int[] {2, 1});
        assertThat(last.shape()).containsExactly(5, 4, 2);
        assertThat(last.get(4, 3, 0)).isEqualTo(x.get(2, 3, 4));
        GradCheck.check("indexSelect repeated", in -> Ops.indexSelect(in[0], 1, idx), Rand.param(rng, 3, 4, 5));
        GradCheck.check("indexSelect dim 0", in -> Ops.indexSelect(in[0], 0, new int[] {2, 2, 1}), Rand.param(rng, 3, 4));
    }

    @Test
    void indexCopyReplacesSlicesOutOfPlace() {
        Random rng = new Random(4);
        Tensor x = Tensor.randn(rng, 1f, 2, 5, 3);
        Tensor src = Tensor.randn(rng, 1f, 2, 2, 3);
        int[] idx = {4, 1};
        Tensor y = Ops.indexCopy(x, 1, idx, src);
        for (int a = 0; a < 2; a++) {
            for (int i = 0; i < 5; i++) {
                for (int c = 0; c < 3; c++) {
                    float want = i == 4 ? src.get(a, 0, c) : i == 1 ? src.get(a, 1, c) : x.get(a, i, c);
                    assertThat(y.get(a, i, c)).isEqualTo(want);
                }
            }
        }
        assertThat(x.get(0, 4, 0)).isNotEqualTo(y.get(0, 4, 0)); // x untouched
        Tensor xp = Rand.param(rng, 2, 5, 3);
        Tensor sp = Rand.param(rng, 2, 2, 3);
        GradCheck.check("indexCopy x,src", in -> Ops.indexCopy(in[0], 1, idx, in[1]), xp, sp);
        // gradient to x is exactly zero at the replaced slices
        for (int c = 0; c < 3; c++) assertThat(xp.grad().get(1, 4, c)).isEqualTo(0f);
        assertThatThrownBy(() -> Ops.indexCopy(x, 1, new int[] {2, 2}, src))
                .hasMessageContaining("indexCopy").hasMessageContaining("index 2");
    }

    @Test
    void indexAddAccumulatesRepeatedIndices() {
        Random rng = new Random(5);
        Tensor x = Tensor.randn(rng, 1f, 4, 2);
        Tensor src = Tensor.randn(rng, 1f, 3, 2);
        int[] idx = {2, 0, 2};
        Tensor y = Ops.indexAdd(x, 0, idx, src);
        for (int c = 0; c < 2; c++) {
            assertThat(y.get(2, c)).isCloseTo(x.get(2, c) + src.get(0, c) + src.get(2, c), org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(y.get(0, c)).isEqualTo(x.get(0, c) + src.get(1, c));
            assertThat(y.get(1, c)).isEqualTo(x.get(1, c));
        }
        GradCheck.check("indexAdd x,src", in -> Ops.indexAdd(in[0], 0, idx, in[1]), Rand.param(rng, 4, 2), Rand.param(rng, 3, 2));
        // non-contiguous src
        Tensor st = Rand.transposedView(rng, 4, 3).requiresGrad(true);
        assertThat(st.isContiguous()).isFalse();
        GradCheck.check("indexAdd transposed src", in -> Ops.indexAdd(in[0], 1, new int[] {1, 1, 0}, in[1]),
                Rand.param(rng, 4, 2), st);
    }

    @Test
    void concatAndStack() {
        Random rng = new Random(6);
        Tensor a = Tensor.randn(rng, 1f, 2, 3);
        Tensor b = Rand.transposedView(rng, 2, 4); // non-contiguous part
        Tensor c = Ops.concat(1, a, b);
        assertThat(c.shape()).containsExactly(2, 7);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 7; j++) assertThat(c.get(i, j)).isEqualTo(j < 3 ? a.get(i, j) : b.get(i, j - 3));
        }
        Tensor s = Ops.stack(1, a, a);
        assertThat(s.shape()).containsExactly(2, 2, 3);
        assertThat(s.get(1, 1, 2)).isEqualTo(a.get(1, 2));
        Tensor s2 = Ops.stack(2, a, b.narrow(1, 0, 3));
        assertThat(s2.shape()).containsExactly(2, 3, 2);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) assertThat(s2.get(i, j, 1)).isEqualTo(b.get(i, j));
        }
        // a KV cache's join: keys as [batch, heads, seq, hd] views of a [batch, seq, heads * hd] projection
        Tensor proj = Tensor.randn(rng, 1f, 2, 5, 3 * 4);
        Tensor cached = proj.reshape(2, 5, 3, 4).transpose(1, 2);          // [2, 3, 5, 4], strided
        Tensor fresh = Tensor.randn(rng, 1f, 2, 3, 1, 4);
        assertThat(Ops.concat(2, cached, fresh).toFloatArray())
                .containsExactly(Ops.concat(2, cached.contiguous(), fresh).toFloatArray());
        GradCheck.check("concat dim 0", in -> Ops.concat(0, in[0], in[1], in[2]),
                Rand.param(rng, 1, 3), Rand.param(rng, 2, 3), Rand.param(rng, 3, 3));
        GradCheck.check("concat dim -1", in -> Ops.concat(-1, in[0], in[1]), Rand.param(rng, 2, 2, 1), Rand.param(rng, 2, 2, 3));
        GradCheck.check("stack dim 1", in -> Ops.stack(1, in[0], in[1]), Rand.param(rng, 2, 3), Rand.param(rng, 2, 3));
        GradCheck.check("stack dim 2", in -> Ops.stack(2, in[0], in[1], in[2]),
                Rand.param(rng, 2, 3), Rand.param(rng, 2, 3), Rand.param(rng, 2, 3));
    }

    @Test
    void frozenPartsGetNoGradient() {
        Random rng = new Random(7);
        Tensor frozen = Tensor.randn(rng, 1f, 2, 3);
        Tensor p = Rand.param(rng, 2, 3);
        Ops.concat(0, frozen, p).backward(Tensor.ones(4, 3));
        assertThat(frozen.grad()).isNull();
        assertThat(p.grad().toFloatArray()).containsOnly(1f);
        Tensor x = Tensor.randn(rng, 1f, 3, 2);
        Tensor src = Rand.param(rng, 1, 2);
        Ops.indexCopy(x, 0, new int[] {1}, src).backward(Tensor.ones(3, 2));
        assertThat(x.grad()).isNull();
        assertThat(src.grad().toFloatArray()).containsOnly(1f);
    }

    @Test
    void errorsNameOpIndexAndSizes() {
        Tensor w = Tensor.zeros(10, 4);
        assertThatThrownBy(() -> Ops.embedding(w, new int[] {3, 10}))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("embedding").hasMessageContaining("10").hasMessageContaining("position 1")
                .hasMessageContaining("size 10");
        assertThatThrownBy(() -> Ops.embedding(w, new int[] {1, 2, 3}, 2, 2))
                .hasMessageContaining("embedding").hasMessageContaining("[2, 2]");
        assertThatThrownBy(() -> Ops.indexSelect(Tensor.zeros(2, 3), 1, new int[] {0, -1}))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("indexSelect").hasMessageContaining("index -1").hasMessageContaining("size 3");
        assertThatThrownBy(() -> Ops.indexAdd(Tensor.zeros(2, 3), 0, new int[] {5}, Tensor.zeros(1, 3)))
                .hasMessageContaining("indexAdd").hasMessageContaining("index 5").hasMessageContaining("size 2");
        assertThatThrownBy(() -> Ops.indexAdd(Tensor.zeros(2, 3), 0, new int[] {1}, Tensor.zeros(2, 3)))
                .hasMessageContaining("indexAdd").hasMessageContaining("[1, 3]").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> Ops.concat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("concat").hasMessageContaining("[2, 3]").hasMessageContaining("[2, 4]");
        assertThatThrownBy(() -> Ops.concat(0, Tensor.zeros(2, 3), Tensor.zeros(2, 3, 1)))
                .hasMessageContaining("concat").hasMessageContaining("[2, 3, 1]");
        assertThatThrownBy(() -> Ops.stack(0, Tensor.zeros(2, 3), Tensor.zeros(3, 2)))
                .hasMessageContaining("stack").hasMessageContaining("[3, 2]");
        assertThatThrownBy(() -> Ops.concat(2, Tensor.zeros(2, 3))).hasMessageContaining("concat");
    }

    @Property(tries = 40)
    void concatThenNarrowReturnsTheParts(@ForAll @IntRange(min = 1, max = 3) int rank,
                                         @ForAll @IntRange(min = 1, max = 4) int nParts,
                                         @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        int dim = rng.nextInt(rank);
        int[] base = new int[rank];
        for (int i = 0; i < rank; i++) base[i] = 1 + rng.nextInt(4);
        Tensor[] parts = new Tensor[nParts];
        for (int p = 0; p < nParts; p++) {
            int[] s = base.clone();
            s[dim] = 1 + rng.nextInt(4);
            parts[p] = Tensor.randn(rng, 1f, s);
        }
        Tensor c = Ops.concat(dim, parts);
        int at = 0;
        for (Tensor p : parts) {
            assertThat(c.narrow(dim, at, p.size(dim)).toFloatArray()).containsExactly(p.toFloatArray());
            at += p.size(dim);
        }
        assertThat(at).isEqualTo(c.size(dim));
        Tensor same = Tensor.randn(rng, 1f, base);
        int sdim = rng.nextInt(rank + 1);
        Tensor s = Ops.stack(sdim, same, same);
        assertThat(s.select(sdim, 1).toFloatArray()).containsExactly(same.toFloatArray());
    }

    @Property(tries = 40)
    void indexSelectOfAPermutationThenIndexCopyBackRestoresX(@ForAll @IntRange(min = 1, max = 6) int size,
                                                             @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Random rng = new Random(seed);
        Tensor x = Tensor.randn(rng, 1f, 2, size, 3);
        int[] perm = new int[size];
        for (int i = 0; i < size; i++) perm[i] = i;
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        Tensor picked = Ops.indexSelect(x, 1, perm);
        Tensor back = Ops.indexCopy(Tensor.zeros(2, size, 3), 1, perm, picked);
        assertThat(back.toFloatArray()).containsExactly(x.toFloatArray());
    }
}
