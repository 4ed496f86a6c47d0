package org.intervene4j.intervention;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;
import org.intervene4j.model.CausalLM;
import org.intervene4j.model.Generator;
import org.intervene4j.model.ModelInfo;
import org.intervene4j.model.Sampler;
import org.intervene4j.model.TokenBatch;
import org.intervene4j.site.Sites;

/**
 * Generation (KV cache) with interventions: one prefill over the prompt, then one forward per
 * new token, each routed through hooks that know which absolute positions the forward covers.
 * A spec's base positions are positions of the whole sequence (negative ones count from the
 * prompt's end); a spec fires in the forward that processes its position, so its effect reaches
 * later tokens through the cache exactly as a full recomputation would. With
 * {@code everyNewToken}, each spec also acts at every generated token's position (steering
 * during generation); a spec that reads a source then uses its single source position's row.
 */
final class InterventionGeneration {
    private final CausalLM model;
    private final List<InterventionSpec> specs;
    private final int promptLength;
    private final boolean everyNewToken;
    private final boolean prefillAllLogits;         // some spec acts at final_norm/logits
    private final int[][] basePositions;            // per spec: absolute positions
    private final Map<Integer, Tensor> sourceRows;  // per spec: [positions * heads, w]
    private final Map<Integer, List<float[]>> collectedRows = new HashMap<>();
    private final Map<Integer, Integer> collectedWidth = new HashMap<>();
    private final List<Fired> fired = new ArrayList<>();
    private final int[] fullPrompt;
    private int produced;
    private final IntervenableModel im;

    InterventionGeneration(IntervenableModel im, int[] prompt, List<TokenBatch> sources, boolean everyNewToken) {
        this.im = im;
        this.model = im.model();
        this.specs = im.specs();
        this.promptLength = prompt.length;
        this.everyNewToken = everyNewToken;
        this.prefillAllLogits = im.actsOnLogitsSites();
        this.fullPrompt = prompt.clone();
        try (org.intervene4j.engine.GradMode off = org.intervene4j.engine.GradMode.off()) {
            sourceRows = im.readSources(TokenBatch.of(prompt), sources);
        }
        basePositions = new int[specs.size()][];
        for (int k = 0; k < specs.size(); k++) {
            InterventionSpec s = specs.get(k);
            int[] ps = s.basePositions().forExample(0, promptLength);
            int[] abs = new int[ps.length];
            for (int j = 0; j < ps.length; j++) {
                if (ps[j] < -promptLength) {
                    throw new IndexOutOfBoundsException("intervention " + k + " at " + s.site() + ": position " + ps[j]
                            + " is before the start of the prompt, which has " + promptLength + " tokens");
                }
                abs[j] = ps[j] < 0 ? ps[j] + promptLength : ps[j];
            }
            basePositions[k] = abs;
            if (everyNewToken && s.intervention().needsSource()) {
                int n = s.sourcePositions().forExample(0, sources.get(s.source()).length(0)).length;
                if (n != 1) {
                    throw new IllegalArgumentException("intervention " + k + " at " + s.site() + ": to act on every new token, a spec that"
                            + " reads a source needs exactly one source position (it has " + n + ")");
                }
            }
        }
    }

    IntervenableModel.Generation run(int maxNewTokens, Sampler sampler, Integer eosId, IntConsumer onToken) {
        Sites sites = Sites.with(model.info().layers(), (site, x) -> {
            int past = produced == 0 ? 0 : promptLength + produced - 1;
            return step(site, x, past);
        }, im::touches);
        // specs at final_norm/logits need those sites over the whole prompt, not just its last position
        int[] tokens = Generator.generate(model, fullPrompt, maxNewTokens, sampler, eosId, sites, prefillAllLogits, next -> {
            produced++;
            if (onToken != null) onToken.accept(next);
        });
        Map<Integer, Tensor> collected = new HashMap<>();
        collectedRows.forEach((k, rows) -> {
            int w = collectedWidth.get(k);
            float[] all = new float[rows.size() * w];
            for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, all, i * w, w);
            collected.put(k, Tensor.of(all, rows.size(), w));
        });
        return new IntervenableModel.Generation(tokens, collected, List.copyOf(fired));
    }

    /** The hook for one forward that covers absolute positions [past, past + seq). */
    private Tensor step(org.intervene4j.site.Site site, Tensor x, int past) {
        ModelInfo info = model.info();
        int seq = x.size(1);
        TokenBatch window = TokenBatch.of(new int[seq]);
        Tensor out = x;
        for (int k = 0; k < specs.size(); k++) {
            InterventionSpec s = specs.get(k);
            if (!s.site().whole().equals(site)) continue;
            // which of the spec's positions this forward covers, and which source row each one pairs with
            Set<Integer> local = new LinkedHashSet<>();
            List<Integer> pairs = new ArrayList<>();
            for (int j = 0; j < basePositions[k].length; j++) {
                int p = basePositions[k][j];
                if (p >= past && p < past + seq && local.add(p - past)) pairs.add(j);
            }
            if (everyNewToken && past >= promptLength) {
                for (int t = 0; t < seq; t++) {
                    if (local.add(t)) pairs.add(0);
                }
            }
            if (local.isEmpty()) continue;
            int[] positions = local.stream().mapToInt(Integer::intValue).toArray();
            RowSelection sel = RowSelection.of(k, s.site(), Positions.of(positions), s.heads(), window, out.shape(),
                    SpecJson.headCount(s.site(), info), info.headDim());
            int perPosition = sel.rows.length / positions.length;
            Tensor rows = sel.gather(out);
            for (Fired f : sel.fired) fired.add(new Fired(f.spec(), f.site(), f.example(), f.position() + past, f.head()));
            if (s.intervention() instanceof Collect) {
                List<float[]> into = collectedRows.computeIfAbsent(k, key -> new ArrayList<>());
                collectedWidth.put(k, sel.rowWidth);
                for (int r = 0; r < rows.size(0); r++) into.add(rows.select(0, r).toFloatArray());
                continue;
            }
            Tensor src = null;
            Tensor all = sourceRows.get(k);
            if (all != null) {
                int[] idx = new int[sel.rows.length];
                for (int i = 0; i < pairs.size(); i++) {
                    for (int h = 0; h < perPosition; h++) idx[i * perPosition + h] = pairs.get(i) * perPosition + h;
                }
                src = Ops.indexSelect(all, 0, idx);
            }
            if (s.subspace() != null) {
                for (int d : s.subspace()) {
                    if (d < 0 || d >= sel.rowWidth) {
                        throw new IndexOutOfBoundsException("intervention " + k + " at " + s.site() + ": subspace index " + d
                                + " is beyond the row width " + sel.rowWidth);
                    }
                }
            }
            out = sel.scatter(out, s.intervention().apply(rows, src, s.subspace()));
        }
        return out;
    }
}
