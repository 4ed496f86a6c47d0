package org.intervene4j.intervention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.intervene4j.engine.Ops.square;
import static org.intervene4j.engine.Ops.sub;
import static org.intervene4j.engine.Ops.sum;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Arena;
import org.intervene4j.engine.GradMode;
import org.intervene4j.engine.Tensor;
import org.intervene4j.intervention.training.CounterfactualBatch;
import org.intervene4j.intervention.training.InterventionTrainer;
import org.intervene4j.intervention.training.TrainingListener;
import org.intervene4j.train.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's mechanics: accumulation, schedules, best-kept parameters, checkpoints, frozen model. */
class InterventionTrainerTest {
    final PlantedModel model = new PlantedModel(new Random(7), 4);

    IntervenableModel das(long seed) {
        RotatedSpace das = RotatedSpace.random(new Random(seed), PlantedModel.WIDTH, 2);
        return new IntervenableModel(model, List.of(InterventionSpec.at(PlantedModel.SITE, das, 0, new int[] {0}, new int[] {0})));
    }

    static RotatedSpace rotatedSpaceOf(IntervenableModel im) {
        return (RotatedSpace) im.specs().get(0).intervention();
    }

    @Test
    void aRotationStaysOrthogonalAfter1000AdamSteps() {
        RotatedSpace das = RotatedSpace.random(new Random(1), 32, 4);
        Adam opt = Adam.of(0.05, das.orthogonal().weight());
        Tensor b = Tensor.randn(new Random(2), 1f, 16, 32);
        Tensor s = Tensor.randn(new Random(3), 1f, 16, 32);
        Tensor target = Tensor.randn(new Random(4), 1f, 16, 32);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 1000; step++) {
            try (Arena arena = Arena.open()) {
                opt.zeroGrad();
                Tensor loss = sum(square(sub(das.apply(b, s, null), target)));
                loss.backward();
                opt.step();
                if (step == 0) first = loss.item();
                last = loss.item();
            }
        }
        Tensor r;
        double weightNorm = 0;
        try (GradMode off = GradMode.off()) {
            r = das.rotation();
            for (float v : das.orthogonal().weight().toFloatArray()) weightNorm += v * v;
        }
        double err = PlantedDasTest.orthogonalityError(r);
        System.out.printf("1000 Adam steps (lr 0.05, d=32): loss %.2f -> %.2f, |W| = %.2f, max |R R^T - I| = %.3g%n", first, last,
                Math.sqrt(weightNorm), err);
        assertThat(last).isLessThan(first);
        assertThat(Math.sqrt(weightNorm)).isGreaterThan(1.0); // the rotation really moved
        assertThat(err).isLessThan(1e-5);
    }

    @Test
    void accumulatedMicroBatchesGiveTheFullBatchGradient() {
        // 64 pairs, and the same pairs as two micro-batches of 32
        Random rng = new Random(5);
        CounterfactualBatch[] halves = {model.pairs(rng, 32, 0, 4, false), model.pairs(rng, 32, 0, 4, false)};
        CounterfactualBatch whole = concat(halves[0], halves[1]);
        IntervenableModel a = das(1);
        IntervenableModel b = das(1);
        List<Double> normA = new ArrayList<>();
        List<Double> normB = new ArrayList<>();
        InterventionTrainer.builder(a).accumulation(2).listener(listener(normA)).build().train(i -> halves[(int) i % 2], 1);
        InterventionTrainer.builder(b).listener(listener(normB)).build().train(i -> whole, 1);
        float[] ga = rotatedSpaceOf(a).orthogonal().weight().grad().toFloatArray();
        float[] gb = rotatedSpaceOf(b).orthogonal().weight().grad().toFloatArray();
        double worst = 0;
        for (int i = 0; i < ga.length; i++) worst = Math.max(worst, Math.abs(ga[i] - gb[i]));
        System.out.printf("accumulation 2 x 32 vs 64: grad norms %.6f vs %.6f, max |diff| %.2g%n", normA.get(0), normB.get(0), worst);
        assertThat(worst).isLessThan(1e-6);
        assertThat(normA.get(0)).isCloseTo(normB.get(0), org.assertj.core.data.Offset.offset(1e-5 * normB.get(0)));
        assertThat(normB.get(0)).isGreaterThan(1e-3);
    }

    static TrainingListener listener(List<Double> norms) {
        return new TrainingListener() {
            @Override
            public void onStep(Step step) {
                norms.add(step.gradNorm());
            }
        };
    }

    static CounterfactualBatch concat(CounterfactualBatch x, CounterfactualBatch y) {
        int n = x.size() + y.size();
        int[][] base = new int[n][];
        int[][] source = new int[n][];
        int[] labels = new int[n];
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            CounterfactualBatch from = i < x.size() ? x : y;
            int j = i < x.size() ? i : i - x.size();
            base[i] = from.base().tokens(j);
            source[i] = from.sources().get(0).tokens(j);
            labels[i] = from.labels()[j];
            positions[i] = from.labelPositions()[j];
        }
        return new CounterfactualBatch(org.intervene4j.model.TokenBatch.padded(base, org.intervene4j.model.PadSide.RIGHT, 0),
                List.of(org.intervene4j.model.TokenBatch.padded(source, org.intervene4j.model.PadSide.RIGHT, 0)), labels, positions, null);
    }

    @Test
    void keepsTheBestEvaluatedParametersAndReportsProgress() {
        IntervenableModel im = das(2);
        List<CounterfactualBatch> heldOut = model.heldOut(3, 1, 128, 0, 4, false);
        List<TrainingListener.Step> steps = new ArrayList<>();
        List<TrainingListener.Evaluation> evals = new ArrayList<>();
        float[][] atBest = new float[1][];
        InterventionTrainer trainer = InterventionTrainer.builder(im).lr(0.05).evaluateEvery(10, heldOut).listener(new TrainingListener() {
            @Override
            public void onStep(Step step) {
                steps.add(step);
            }

            @Override
            public void onEvaluation(Evaluation e) {
                evals.add(e);
                if (e.best()) atBest[0] = rotatedSpaceOf(im).orthogonal().weight().toFloatArray();
            }
        }).build();
        InterventionTrainer.Result r = trainer.train(i -> model.pairs(new Random(100 + i), 32, 0, 4, false), 45);
        assertThat(steps).extracting(TrainingListener.Step::step).containsExactly(java.util.stream.LongStream.rangeClosed(1, 45).boxed()
                .toArray(Long[]::new));
        assertThat(steps.get(0).temperature()).isNaN(); // no soft mask here
        assertThat(evals).extracting(TrainingListener.Evaluation::step).containsExactly(10L, 20L, 30L, 40L, 45L);
        assertThat(r.restoredBest()).isTrue();
        assertThat(rotatedSpaceOf(im).orthogonal().weight().toFloatArray()).containsExactly(atBest[0]);
        assertThat(trainer.evaluate(heldOut).accuracy()).isEqualTo(r.bestAccuracy());
        // the model is frozen: its weights never get a gradient, and fixed intervention tensors neither
        assertThat(model.embedding.grad()).isNull();
        assertThat(rotatedSpaceOf(im).parameters().get("rotation.initial").grad()).isNull();
    }

    @Test
    void boundlessTemperatureAnnealsLinearlyAndMasksEndHard() {
        BoundlessRotatedSpace bdas = BoundlessRotatedSpace.random(new Random(4), PlantedModel.WIDTH);
        IntervenableModel im = new IntervenableModel(model, List.of(InterventionSpec.at(PlantedModel.SITE, bdas, 0, new int[] {0}, new int[] {0})));
        List<Double> taus = new ArrayList<>();
        List<Double> penalties = new ArrayList<>();
        InterventionTrainer.builder(im).listener(new TrainingListener() {
            @Override
            public void onStep(Step step) {
                taus.add(step.temperature());
                penalties.add(step.penalty());
            }
        }).build().train(i -> model.pairs(new Random(i), 16, 0, 4, false), 11);
        assertThat(taus.get(0)).isEqualTo(50.0);
        assertThat(taus.get(5)).isCloseTo(50 - 49.9 / 2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(taus.get(10)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(penalties.get(0)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-5)); // λ = 1 x initial width 1/2
        assertThat(bdas.hard()).isTrue();
    }

    @Test
    void checkpointsResumeExactly(@TempDir Path dir) {
        Path file = dir.resolve("das.safetensors");
        IntervenableModel a = das(5);
        List<CounterfactualBatch> heldOut = model.heldOut(6, 1, 64, 0, 4, false);
        InterventionTrainer ta = InterventionTrainer.builder(a).lr(0.02).evaluateEvery(10, heldOut).checkpointEvery(10, file).build();
        ta.train(i -> model.pairs(new Random(200 + i), 32, 0, 4, false), 20);
        assertThat(Files.exists(file)).isTrue();
        float[] trained = rotatedSpaceOf(a).orthogonal().weight().toFloatArray();

        IntervenableModel b = das(5);
        InterventionTrainer tb = InterventionTrainer.builder(b).lr(0.02).evaluateEvery(10, heldOut).build();
        assertThat(rotatedSpaceOf(b).orthogonal().weight().toFloatArray()).isNotEqualTo(trained);
        tb.resume(file);
        assertThat(tb.step()).isEqualTo(20);
        assertThat(tb.bestAccuracy()).isEqualTo(ta.bestAccuracy());
        assertThat(rotatedSpaceOf(b).orthogonal().weight().toFloatArray()).containsExactly(trained);
        tb.train(i -> model.pairs(new Random(200 + i), 32, 0, 4, false), 5);
        assertThat(tb.step()).isEqualTo(25);

        IntervenableModel other = new IntervenableModel(model, List.of(InterventionSpec.at(PlantedModel.SITE,
                RotatedSpace.random(new Random(1), PlantedModel.WIDTH, 2), 0, new int[] {0}, new int[] {0}),
                InterventionSpec.at(PlantedModel.SITE, new SigmoidMask(PlantedModel.WIDTH), 0, new int[] {0}, new int[] {0})));
        assertThatThrownBy(() -> InterventionTrainer.builder(other).build().resume(file)).hasMessageContaining("interventions.1.logits");
    }

    @Test
    void refusesInterventionsWithNothingToTrain() {
        IntervenableModel im = new IntervenableModel(model, List.of(InterventionSpec.at(PlantedModel.SITE, new Vanilla(), 0, new int[] {0},
                new int[] {0})));
        assertThatThrownBy(() -> InterventionTrainer.builder(im).build()).hasMessageContaining("no trainable parameter");
    }
}
