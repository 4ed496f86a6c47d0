package org.intervene4j.causal.study;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.intervene4j.causal.search.EncodedPairs;
import org.intervene4j.causal.task.PriceInput;
import org.intervene4j.causal.task.PricePair;
import org.intervene4j.causal.task.PricePrompt;
import org.intervene4j.tokenizer.Tokenizer;

/**
 * Turns price-tagging inputs and pairs into token ids with a checkpoint's own tokenizer: the
 * prompt's ids, and the id of the first token of each answer as the model would produce it
 * right after the prompt (found by encoding prompt + answer, so tokenizers that merge across
 * the boundary or add a leading space marker are read correctly). Prompts are cached.
 */
public final class PricePromptEncoder {
    private final Tokenizer tokenizer;
    private final PricePrompt prompt;
    private final Map<PriceInput, int[]> prompts = new ConcurrentHashMap<>();
    private final Map<PriceInput, int[]> answers = new ConcurrentHashMap<>(); // [yes id, no id] per input

    public PricePromptEncoder(Tokenizer tokenizer, PricePrompt prompt) {
        this.tokenizer = tokenizer;
        this.prompt = prompt;
    }

    public PricePrompt prompt() {
        return prompt;
    }

    /** The id prompts are padded with. */
    public int padId() {
        return tokenizer.padId();
    }

    /** One token's text, for labels. */
    public String token(int id) {
        return tokenizer.decode(id);
    }

    /** The prompt's token ids. */
    public int[] ids(PriceInput input) {
        return prompts.computeIfAbsent(input, in -> tokenizer.encode(prompt.render(in)));
    }

    /** The id of the answer token for {@code yes} (true) or {@code no}, right after {@code input}'s prompt. */
    public int answerId(PriceInput input, boolean yes) {
        return answers.computeIfAbsent(input, in -> new int[] {firstAnswerToken(in, prompt.yes()), firstAnswerToken(in, prompt.no())})[yes ? 0 : 1];
    }

    private int firstAnswerToken(PriceInput input, String answer) {
        int[] p = ids(input);
        String text = prompt.render(input);
        int[] full = tokenizer.encode(text + answer);
        int cut = p.length;
        // a tokenizer that appends an end token to every encoding puts it at the end of p: compare without it
        if (tokenizer.eosId() != null && cut > 0 && p[cut - 1] == tokenizer.eosId()) cut--;
        if (full.length <= cut || !Arrays.equals(Arrays.copyOf(full, cut), Arrays.copyOf(p, cut))) {
            throw new IllegalArgumentException("tokenizer " + tokenizer.file() + ": the answer '" + answer.strip()
                    + "' does not extend the prompt's tokens (prompt ends '" + tail(text) + "'); this tokenizer cannot score the task");
        }
        return full[cut];
    }

    /** Pairs as token ids: base and source prompts, the counterfactual answer's token, the variable. */
    public EncodedPairs encode(List<PricePair> pairs, int variableCount) {
        int n = pairs.size();
        int[][] base = new int[n][];
        int[][] source = new int[n][];
        int[] labels = new int[n];
        int[] variables = new int[n];
        for (int i = 0; i < n; i++) {
            PricePair p = pairs.get(i);
            base[i] = ids(p.base());
            source[i] = ids(p.source());
            labels[i] = answerId(p.base(), p.counterfactualLabel());
            variables[i] = p.variableIndex();
        }
        return new EncodedPairs(base, source, labels, variables, variableCount, tokenizer.padId());
    }

    /** Whether the two answers start with different tokens (otherwise the task cannot be scored). */
    public void checkAnswersDiffer(PriceInput input) {
        if (answerId(input, true) == answerId(input, false)) {
            throw new IllegalArgumentException("tokenizer " + tokenizer.file() + ": the answers '" + prompt.yes().strip() + "' and '"
                    + prompt.no().strip() + "' start with the same token");
        }
    }

    private static String tail(String s) {
        String t = s.length() > 24 ? "..." + s.substring(s.length() - 24) : s;
        return t.replace("\n", "\\n");
    }
}
