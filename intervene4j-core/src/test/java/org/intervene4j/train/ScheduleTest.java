package org.intervene4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.intervene4j.engine.Tensor;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final double EPS = 1e-12;

    @Test
    void warmupThenLinearDecay() {
        LrSchedule s = LrSchedule.warmupLinear(10, 110, 0.0);
        assertThat(s.factor(0)).isEqualTo(0.0);
        assertThat(s.factor(5)).isCloseTo(0.5, offset(EPS));
        assertThat(s.factor(10)).isEqualTo(1.0);
        assertThat(s.factor(60)).isCloseTo(0.5, offset(EPS));
        assertThat(s.factor(85)).isCloseTo(0.25, offset(EPS));
        assertThat(s.factor(110)).isCloseTo(0.0, offset(EPS));
        assertThat(s.factor(500)).isCloseTo(0.0, offset(EPS));
    }

    @Test
    void warmupThenCosineDecayToFloor() {
        LrSchedule s = LrSchedule.warmupCosine(4, 104, 0.1);
        assertThat(s.factor(1)).isCloseTo(0.25, offset(EPS));
        assertThat(s.factor(4)).isCloseTo(1.0, offset(EPS));
        assertThat(s.factor(54)).isCloseTo(0.55, offset(EPS));
        // a quarter of the way: 0.1 + 0.9 * (1 + cos(pi / 4)) / 2
        assertThat(s.factor(29)).isCloseTo(0.1 + 0.9 * (1 + Math.sqrt(0.5)) / 2, offset(EPS));
        assertThat(s.factor(104)).isCloseTo(0.1, offset(EPS));
        assertThat(s.factor(10_000)).isCloseTo(0.1, offset(EPS));
    }

    @Test
    void constantAndWarmupConstant() {
        assertThat(LrSchedule.constant().factor(0)).isEqualTo(1.0);
        assertThat(LrSchedule.constant().factor(123456)).isEqualTo(1.0);
        LrSchedule w = LrSchedule.warmupConstant(8);
        assertThat(w.factor(2)).isEqualTo(0.25);
        assertThat(w.factor(8)).isEqualTo(1.0);
        assertThat(w.factor(1000)).isEqualTo(1.0);
        // no warmup, no decay window: the floor right away
        assertThat(LrSchedule.warmupLinear(0, 0, 0.3).factor(0)).isCloseTo(0.3, offset(EPS));
    }

    @Test
    void applyScalesEveryGroupsBaseRate() {
        Tensor a = Tensor.zerosPersistent(1).requiresGrad(true);
        Tensor b = Tensor.zerosPersistent(1).requiresGrad(true);
        Adam opt = new Adam(List.of(ParamGroup.of(1e-3, a), ParamGroup.builder("b").add(b).lr(1e-1).build()));
        LrSchedule s = LrSchedule.warmupLinear(10, 20, 0);
        s.apply(opt, 5);
        assertThat(opt.lr(0)).isCloseTo(5e-4, offset(EPS));
        assertThat(opt.lr(1)).isCloseTo(5e-2, offset(EPS));
        s.apply(opt, 15);
        assertThat(opt.lr(0)).isCloseTo(5e-4, offset(EPS));
        s.apply(opt, 10);
        assertThat(opt.lr(1)).isCloseTo(1e-1, offset(EPS));
        // apply(opt) uses the optimizer's own step count
        s.apply(opt);
        assertThat(opt.lr(1)).isEqualTo(0.0);
        a.requiresGrad(true);
        Losses.setGrad(a, new float[] {1f});
        for (int i = 0; i < 3; i++) opt.step();
        s.apply(opt);
        assertThat(opt.lr(0)).isCloseTo(3e-4, offset(EPS));
    }

    @Test
    void scalarSchedulesForTemperatureAnnealing() {
        ScalarSchedule t = ScalarSchedule.linear(50, 0.1, 100);
        assertThat(t.value(0)).isEqualTo(50.0);
        assertThat(t.value(50)).isCloseTo(25.05, offset(1e-12));
        assertThat(t.value(100)).isCloseTo(0.1, offset(1e-12));
        assertThat(t.value(1000)).isCloseTo(0.1, offset(1e-12));
        ScalarSchedule e = ScalarSchedule.exponential(1, 0.01, 10);
        assertThat(e.value(5)).isCloseTo(0.1, offset(1e-12));
        assertThat(e.value(10)).isCloseTo(0.01, offset(1e-12));
        ScalarSchedule c = ScalarSchedule.cosine(2, 0, 10);
        assertThat(c.value(0)).isCloseTo(2, offset(1e-12));
        assertThat(c.value(5)).isCloseTo(1, offset(1e-12));
        assertThat(c.value(10)).isCloseTo(0, offset(1e-12));
        assertThat(ScalarSchedule.constant(3).value(7)).isEqualTo(3.0);
        assertThat(LrSchedule.warmupConstant(4).asScalar().value(1)).isEqualTo(0.25);
    }

    @Test
    void badSchedulesAreRejected() {
        assertThatThrownBy(() -> LrSchedule.warmupCosine(10, 5, 0)).hasMessageContaining("total (5) must be >= warmup (10)");
        assertThatThrownBy(() -> LrSchedule.warmupLinear(0, 10, 1.5)).hasMessageContaining("floor");
        assertThatThrownBy(() -> LrSchedule.warmupConstant(-1)).hasMessageContaining("warmup");
        assertThatThrownBy(() -> LrSchedule.constant().factor(-1)).hasMessageContaining("step");
        assertThatThrownBy(() -> ScalarSchedule.linear(1, 0, -3)).hasMessageContaining("steps");
        assertThatThrownBy(() -> ScalarSchedule.exponential(0, 1, 3)).hasMessageContaining("> 0");
    }
}
