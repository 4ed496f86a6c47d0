package org.intervene4j.causal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CausalModelTest {
    /** a, b inputs 0..9; s = a + b; big = s >= 10; declared out of order on purpose. */
    static CausalModel sumModel() {
        return CausalModel.builder("sum")
                .variable("big", ValueSet.booleans(), p -> p.getInt("s") >= 10, "s")
                .variable("s", ValueSet.intRange(0, 18), p -> p.getInt("a") + p.getInt("b"), "a", "b")
                .input("a", ValueSet.intRange(0, 9))
                .input("b", ValueSet.intRange(0, 9))
                .output("big")
                .build();
    }

    @Test
    void runComputesEveryVariableInTopologicalOrder() {
        CausalModel m = sumModel();
        assertThat(m.variables()).containsExactly("a", "b", "s", "big"); // parents first, then declaration order
        assertThat(m.inputs()).containsExactly("a", "b");
        for (String v : m.variables()) for (String p : m.parents(v)) assertThat(m.variables().indexOf(p)).isLessThan(m.variables().indexOf(v));
        for (int a = 0; a < 10; a++) {
            for (int b = 0; b < 10; b++) {
                Map<String, Object> r = m.run(Map.of("a", a, "b", b));
                assertThat(r).containsEntry("s", a + b).containsEntry("big", a + b >= 10);
                assertThat(m.predict(Map.of("a", a, "b", b))).isEqualTo(a + b >= 10);
            }
        }
    }

    @Test
    void interventionsKeepFixedValuesAndRecomputeDescendants() {
        CausalModel m = sumModel();
        Map<String, Object> r = m.run(Map.of("a", 1, "b", 2), Map.of("s", 15));
        assertThat(r).containsEntry("a", 1).containsEntry("s", 15).containsEntry("big", true);
        // fixing an input needs no value for it, and its descendants follow
        assertThat(m.run(Map.of("b", 2), Map.of("a", 9))).containsEntry("s", 11).containsEntry("big", true);
        // fixing a variable and its descendant: both kept
        assertThat(m.run(Map.of("a", 9, "b", 9), Map.of("s", 0, "big", true))).containsEntry("s", 0).containsEntry("big", true);
    }

    @Test
    void interchangeTakesTheSourceValues() {
        CausalModel m = sumModel();
        Map<String, Object> base = Map.of("a", 1, "b", 2);
        Map<String, Object> source = Map.of("a", 8, "b", 7);
        assertThat(m.interchange(base, source, List.of("s"))).containsEntry("a", 1).containsEntry("s", 15).containsEntry("big", true);
        assertThat(m.interchange(base, source, List.of("a"))).containsEntry("s", 10).containsEntry("big", true);
        assertThat(m.interchange(base, source, List.of("b"))).containsEntry("s", 8).containsEntry("big", false);
        assertThat(m.interchange(base, source, List.of())).isEqualTo(m.run(base));
    }

    @Test
    void cyclesAreNamed() {
        assertThatThrownBy(() -> CausalModel.builder("loop")
                .input("x", ValueSet.booleans())
                .variable("a", ValueSet.booleans(), p -> true, "c", "x")
                .variable("b", ValueSet.booleans(), p -> true, "a")
                .variable("c", ValueSet.booleans(), p -> true, "b")
                .output("c").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'loop'").hasMessageContaining("cycle a -> b -> c -> a");
        assertThatThrownBy(() -> CausalModel.builder("self").variable("a", ValueSet.booleans(), p -> true, "a").output("a").build())
                .hasMessageContaining("cycle a -> a");
    }

    @Test
    void badGraphsAndValuesAreRejectedWithTheirNames() {
        assertThatThrownBy(() -> CausalModel.builder("m").input("x", ValueSet.booleans())
                .variable("y", ValueSet.booleans(), p -> true, "x", "ghost").output("y").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'m'").hasMessageContaining("'y'")
                .hasMessageContaining("undefined parent 'ghost'");
        assertThatThrownBy(() -> CausalModel.builder("m").input("x", ValueSet.booleans()).output("nope").build())
                .hasMessageContaining("output 'nope'");
        CausalModel bad = CausalModel.builder("bad").input("x", ValueSet.intRange(0, 3))
                .variable("y", ValueSet.intRange(0, 3), p -> p.getInt("x") * 2, "x").output("y").build();
        assertThat(bad.run(Map.of("x", 1))).containsEntry("y", 2);
        assertThatThrownBy(() -> bad.run(Map.of("x", 2)))
                .hasMessageContaining("'bad'").hasMessageContaining("mechanism returned 4 for 'y'").hasMessageContaining("integers 0..3");
        assertThatThrownBy(() -> bad.run(Map.of())).hasMessageContaining("'bad'").hasMessageContaining("missing input 'x'");
        assertThatThrownBy(() -> bad.run(Map.of("x", 7))).hasMessageContaining("input gives 7 for 'x'");
        assertThatThrownBy(() -> bad.run(Map.of("x", 1, "z", 1))).hasMessageContaining("'z' is not an input variable");
        assertThatThrownBy(() -> bad.run(Map.of("x", 1), Map.of("q", 1))).hasMessageContaining("unknown variable 'q'");
        assertThatThrownBy(() -> bad.run(Map.of("x", 1), Map.of("y", 9))).hasMessageContaining("intervention sets 9 for 'y'");
        assertThatThrownBy(() -> bad.run(Map.of("x", 1), Map.of("y", "two"))).hasMessageContaining("for 'y'");
        assertThatThrownBy(() -> bad.interchange(Map.of("x", 1), Map.of("x", 0), List.of("w"))).hasMessageContaining("unknown variable 'w'");
    }

    @Test
    void mechanismsMayReadOnlyTheirParents() {
        CausalModel sneaky = CausalModel.builder("sneaky").input("x", ValueSet.booleans()).input("y", ValueSet.booleans())
                .variable("z", ValueSet.booleans(), p -> p.getBoolean("y"), "x").output("z").build();
        assertThatThrownBy(() -> sneaky.run(Map.of("x", true, "y", true)))
                .hasMessageContaining("mechanism of 'z' reads 'y', which is not one of its parents");
    }

    @Test
    void valueSets() {
        ValueSet r = ValueSet.intRange(0, 2000);
        assertThat(r.contains(0)).isTrue();
        assertThat(r.contains(2000)).isTrue();
        assertThat(r.contains(2001)).isFalse();
        assertThat(r.contains(5L)).isFalse();
        assertThat(r.contains(null)).isFalse();
        assertThat(r.isExplicit()).isFalse();
        assertThat(r.description()).isEqualTo("integers 0..2000");
        assertThat(ValueSet.booleans().elements()).containsExactly(false, true);
        assertThat(ValueSet.of("a", "b", "a").elements()).containsExactly("a", "b");
        assertThatThrownBy(() -> ValueSet.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(r::elements).hasMessageContaining("integers 0..2000");
    }
}
