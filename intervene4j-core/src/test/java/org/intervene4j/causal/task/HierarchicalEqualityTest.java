package org.intervene4j.causal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.intervene4j.causal.CounterfactualPair;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class HierarchicalEqualityTest {
    final HierarchicalEquality task = new HierarchicalEquality(100, 4, new Random(1));

    @Test
    void samplesAreBalancedAndTheModelMatchesTheTask() {
        Random rng = new Random(2);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 8000; i++) {
            EqualityInput in = task.sample(rng);
            Map<String, Object> run = task.causalModel().run(task.inputs(in));
            assertThat(run).containsEntry("WX", in.w() == in.x()).containsEntry("YZ", in.y() == in.z())
                    .containsEntry("O", (in.w() == in.x()) == (in.y() == in.z()));
            counts.merge(in.wx() + "/" + in.yz(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(4);
        for (int c : counts.values()) assertThat(c).isBetween(1850, 2150);
    }

    @Test
    void counterfactualsFollowTheTaskLogic() {
        List<CounterfactualPair<EqualityInput>> pairs = task.sampler().sample(3000, new Random(3));
        for (CounterfactualPair<EqualityInput> p : pairs) {
            EqualityInput b = p.base();
            EqualityInput s = p.source();
            boolean wx = p.intervention() == 1 ? b.w() == b.x() : s.w() == s.x(); // 0: WX, 1: YZ, 2: both from the source
            boolean yz = p.intervention() == 0 ? b.y() == b.z() : s.y() == s.z();
            assertThat(p.counterfactualOutput()).isEqualTo(wx == yz);
            assertThat(p.baseOutput()).isEqualTo(b.label());
        }
        assertThat(pairs.stream().filter(CounterfactualPair::changesOutput).count()).isEqualTo(1500);
    }

    @Test
    void encodingConcatenatesTheObjectVectors() {
        EqualityInput in = new EqualityInput(3, 3, 7, 9);
        Tensor x = task.encode(List.of(in, new EqualityInput(0, 1, 2, 3))); // [2, 16]
        assertThat(x.shape()).containsExactly(2, 16);
        int[] ids = {3, 3, 7, 9};
        for (int slot = 0; slot < 4; slot++) {
            float[] v = task.vector(ids[slot]);
            for (int d = 0; d < 4; d++) assertThat(x.get(0, slot * 4 + d)).isEqualTo(v[d]);
        }
        assertThat(task.vector(7)).isNotEqualTo(task.vector(9));
        assertThatThrownBy(() -> task.encode(List.of(new EqualityInput(0, 0, 0, 100)))).hasMessageContaining("object 100");
    }
}
