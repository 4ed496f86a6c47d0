package org.intervene4j.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.intervene4j.engine.Ops;
import org.intervene4j.engine.Tensor;

/**
 * A small GPT-style decoder-only transformer: token and learned position embeddings, a stack
 * of pre-LN {@link TransformerBlock}s, a final layer norm, and a language-model head that is
 * either tied to the token embedding or a separate {@link Linear}.
 */
public final class TinyDecoder extends Module {
    /**
     * Sizes of a {@link TinyDecoder}.
     *
     * @param vocab     number of token ids
     * @param maxSeq    longest sequence (rows of the position table)
     * @param dModel    width of the residual stream
     * @param heads     attention heads per block (must divide dModel)
     * @param layers    number of blocks
     * @param mlpHidden width of each block's feed-forward layer (usually 4 * dModel)
     * @param tiedHead  whether the LM head reuses the token embedding
     */
    public record Config(int vocab, int maxSeq, int dModel, int heads, int layers, int mlpHidden, boolean tiedHead) {
        public Config {
            if (vocab < 1 || maxSeq < 1 || dModel < 1 || layers < 0 || mlpHidden < 1) {
                throw new IllegalArgumentException("TinyDecoder: sizes must be positive: " + this);
            }
            if (heads < 1 || dModel % heads != 0) {
                throw new IllegalArgumentException("TinyDecoder: d_model " + dModel + " is not divisible by " + heads + " heads");
            }
        }
    }

    private final Config config;
    private final Embedding tokens;    // [vocab, dModel]
    private final Embedding positions; // [maxSeq, dModel]
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear head;         // [vocab, dModel], or null when tied

    /** A freshly initialized model; the same seed gives the same weights. */
    public TinyDecoder(Config config, Random rng) {
        this.config = config;
        this.tokens = child("tokens", new Embedding(config.vocab(), config.dModel(), 0.02f, rng));
        this.positions = child("positions", new Embedding(config.maxSeq(), config.dModel(), 0.02f, rng));
        BlockList list = child("blocks", new BlockList());
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(list.add(new TransformerBlock(config.dModel(), config.heads(), config.mlpHidden(), rng)));
        }
        this.finalNorm = child("norm", new LayerNorm(config.dModel()));
        this.head = config.tiedHead() ? null : child("head", new Linear(config.dModel(), config.vocab(), false, rng));
    }

    /** Logits {@code [batch, seq, vocab]} for a {@code [batch, seq]} grid of token ids. */
    public Tensor forward(int[][] ids) {
        return forward(ids, null);
    }

    /**
     * Logits {@code [batch, seq, vocab]} for a {@code [batch, seq]} grid of token ids.
     *
     * @param keyMask {@code [batch, seq]}, 0 at padding positions; null when there is none
     */
    public Tensor forward(int[][] ids, Tensor keyMask) {
        int seq = ids.length == 0 ? 0 : ids[0].length;
        if (seq > config.maxSeq()) {
            throw new IllegalArgumentException("TinyDecoder: sequence of " + seq + " tokens exceeds maxSeq " + config.maxSeq());
        }
        Tensor tok = tokens.forward(ids);                                // [batch, seq, dModel]
        Tensor pos = positions.weight().narrow(0, 0, seq);               // [seq, dModel]
        Tensor x = Ops.add(tok, pos);                                    // [batch, seq, dModel]
        for (TransformerBlock block : blocks) {
            x = block.forward(x, keyMask);                               // [batch, seq, dModel]
        }
        Tensor h = finalNorm.forward(x);                                 // [batch, seq, dModel]
        Tensor unembed = head == null ? tokens.weight() : head.weight(); // [vocab, dModel]
        return Ops.linear(h, unembed, null);                             // [batch, seq, vocab]
    }

    public Config config() {
        return config;
    }

    /** The blocks, first to last. */
    public List<TransformerBlock> blocks() {
        return List.copyOf(blocks);
    }

    /** Holds the blocks under names "0", "1", ... so parameters read {@code blocks.0.attn.query.weight}. */
    private static final class BlockList extends Module {
        TransformerBlock add(TransformerBlock block) {
            return child(Integer.toString(children().size()), block);
        }
    }
}
