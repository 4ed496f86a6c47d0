package org.intervene4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TensorViewTest {
    private static Tensor iota(int... shape) {
        Tensor t = Tensor.zerosPersistent(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = i;
        return t;
    }

    @Test
    void transposeIsAViewWithSwappedStrides() {
        Tensor x = iota(2, 3);
        Tensor t = x.transpose(0, 1);
        assertThat(t.shape()).containsExactly(3, 2);
        assertThat(t.data()).isSameAs(x.data());
        assertThat(t.isContiguous()).isFalse();
        assertThat(t.toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(t.get(2, 1)).isEqualTo(5f);
    }

    @Test
    void copyToWritesRowMajorElementsIntoTheCallersArray() {
        Tensor t = iota(2, 3).transpose(0, 1);
        float[] out = {9, 9, 9, 9, 9, 9, 9};
        t.copyTo(out);
        assertThat(out).containsExactly(0, 3, 1, 4, 2, 5, 9); // the tail beyond numel is left alone
        assertThatThrownBy(() -> t.copyTo(new float[5])).hasMessageContaining("5 floats").hasMessageContaining("[3, 2]");
    }

    @Test
    void permuteNarrowSelectCompose() {
        Tensor x = iota(2, 3, 4); // value = 12a + 4b + c
        Tensor p = x.permute(2, 0, 1); // [4, 2, 3]
        assertThat(p.shape()).containsExactly(4, 2, 3);
        assertThat(p.get(3, 1, 2)).isEqualTo(12 + 8 + 3);
        Tensor n = x.narrow(2, 1, 2); // [2, 3, 2]
        assertThat(n.toFloatArray()).containsExactly(1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22);
        Tensor s = x.select(1, 2); // [2, 4]
        assertThat(s.toFloatArray()).containsExactly(8, 9, 10, 11, 20, 21, 22, 23);
        assertThat(x.slice(0, 1, 2).select(0, 0).select(0, 0).toFloatArray()).containsExactly(12, 13, 14, 15);
    }

    @Test
    void reshapeViewsContiguousAndCopiesStrided() {
        Tensor x = iota(2, 6);
        Tensor r = x.reshape(3, -1);
        assertThat(r.shape()).containsExactly(3, 4);
        assertThat(r.data()).isSameAs(x.data());
        Tensor t = x.transpose(0, 1).reshape(12);
        assertThat(t.data()).isNotSameAs(x.data());
        assertThat(t.toFloatArray()).containsExactly(0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11);
        assertThat(x.unsqueeze(1).shape()).containsExactly(2, 1, 6);
        assertThat(x.unsqueeze(-1).shape()).containsExactly(2, 6, 1);
        assertThat(x.unsqueeze(0).squeeze(0).shape()).containsExactly(2, 6);
    }

    @Test
    void expandRepeatsWithoutCopy() {
        Tensor x = iota(3, 1);
        Tensor e = x.expand(2, 3, 4);
        assertThat(e.strides()).containsExactly(0, 1, 0);
        assertThat(e.toFloatArray()).containsExactly(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2);
    }

    @Test
    void copyFromWritesThroughAView() {
        Tensor x = Tensor.zerosPersistent(3, 4);
        x.narrow(1, 1, 2).copyFrom(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        assertThat(x.toFloatArray()).containsExactly(0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0);
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Tensor x = iota(2, 3);
        assertThatThrownBy(() -> x.reshape(4, 2)).hasMessageContaining("reshape").hasMessageContaining("[2, 3]")
                .hasMessageContaining("[4, 2]");
        assertThatThrownBy(() -> x.narrow(1, 2, 2)).hasMessageContaining("narrow").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> x.select(0, 2)).hasMessageContaining("select").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> x.transpose(0, 2)).hasMessageContaining("transpose").hasMessageContaining("rank 2");
        assertThatThrownBy(() -> x.expand(4, 3)).hasMessageContaining("[2, 3]").hasMessageContaining("[4, 3]");
        assertThatThrownBy(() -> x.permute(0, 0)).hasMessageContaining("permute");
        assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3)).hasMessageContaining("5 values").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> x.item()).hasMessageContaining("[2, 3]");
    }

    @Property(tries = 60)
    void permutationsRoundTrip(@ForAll @IntRange(min = 1, max = 4) int a, @ForAll @IntRange(min = 1, max = 4) int b,
                               @ForAll @IntRange(min = 1, max = 4) int c, @ForAll @IntRange(min = 0, max = 5) int which) {
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        int[] perm = perms[which];
        int[] inverse = new int[3];
        for (int i = 0; i < 3; i++) inverse[perm[i]] = i;
        Tensor x = Tensor.randn(new Random(a * 100 + b * 10 + c), 1f, a, b, c);
        Tensor p = x.permute(perm);
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                for (int k = 0; k < c; k++) {
                    int[] idx = {i, j, k};
                    int[] pidx = {idx[perm[0]], idx[perm[1]], idx[perm[2]]};
                    assertThat(p.get(pidx)).isEqualTo(x.get(i, j, k));
                }
        assertThat(p.contiguous().permute(inverse).toFloatArray()).containsExactly(x.toFloatArray());
    }
}
