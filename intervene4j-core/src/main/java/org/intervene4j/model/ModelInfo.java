package org.intervene4j.model;

/**
 * The architecture facts every analysis needs, whatever the family.
 *
 * @param family        the config's {@code model_type} ("gpt2", "llama", ...)
 * @param layers        number of blocks
 * @param dModel        residual stream width
 * @param heads         query heads per block
 * @param kvHeads       key/value heads per block (fewer than heads under GQA)
 * @param headDim       width of one head
 * @param dFf           MLP hidden width
 * @param vocab         vocabulary size (logit width)
 * @param maxPositions  the longest sequence the position scheme supports
 */
public record ModelInfo(String family, int layers, int dModel, int heads, int kvHeads, int headDim, int dFf,
                        int vocab, int maxPositions) {
}
