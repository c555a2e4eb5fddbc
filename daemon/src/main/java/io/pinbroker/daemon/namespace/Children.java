package io.pinbroker.daemon.namespace;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A directory's nodes in name order ({@link String#compareTo}), each under its own {@link
 * Node#name}: sorted chunks of at most {@value #CHUNK} nodes. A name costs about 5 bytes here,
 * where a TreeMap spends a 40-byte entry on it; a lookup is two binary searches, and a change
 * moves at most one chunk (and, when one splits or empties, the chunk table).
 */
final class Children implements Iterable<Node> {
  static final int CHUNK = 128;
  private static final Node[][] NONE = new Node[0][];

  /** The chunks in order; each holds 1 to CHUNK nodes at its start, sorted, the rest null. */
  private Node[][] chunks = NONE;
  private int[] counts = new int[0];
  private int chunkCount;
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  Node get(String name) {
    int c = chunkFor(name);
    if (c < 0 || c == chunkCount) {
      return null;
    }
    int i = search(c, name);
    return i >= 0 ? chunks[c][i] : null;
  }

  /** Adds {@code node} under its name; returns the node it replaces, if any. */
  Node put(Node node) {
    int c = chunkFor(node.name);
    if (c == -1 || (c == chunkCount && counts[c - 1] == CHUNK)) {
      // after every name, the last chunk full: a new one, so that names added in order fill
      // their chunks rather than leave each half empty
      Node[] chunk = new Node[CHUNK];
      chunk[0] = node;
      insertChunk(chunkCount, chunk, 1);
      size++;
      return null;
    }
    if (c == chunkCount) {
      c--; // after every name: the last chunk takes it
    }
    int i = search(c, node.name);
    if (i >= 0) {
      Node old = chunks[c][i];
      chunks[c][i] = node;
      return old;
    }
    i = -i - 1;
    if (counts[c] == CHUNK) {
      split(c);
      if (i > CHUNK / 2) {
        i -= CHUNK / 2;
        c++;
      }
    }
    Node[] chunk = chunks[c];
    System.arraycopy(chunk, i, chunk, i + 1, counts[c] - i);
    chunk[i] = node;
    counts[c]++;
    size++;
    return null;
  }

  /** Takes the node named {@code name} out; returns it, if there was one. */
  Node remove(String name) {
    int c = chunkFor(name);
    if (c < 0 || c == chunkCount) {
      return null;
    }
    int i = search(c, name);
    if (i < 0) {
      return null;
    }
    Node[] chunk = chunks[c];
    Node old = chunk[i];
    System.arraycopy(chunk, i + 1, chunk, i, counts[c] - i - 1);
    chunk[--counts[c]] = null;
    size--;
    if (counts[c] == 0) {
      removeChunk(c);
    }
    return old;
  }

  /** Every node, in name order. Do not change the children while iterating. */
  @Override
  public Iterator<Node> iterator() {
    return new Walk(0, 0);
  }

  /** The nodes whose names sort strictly after {@code after}, in name order. */
  Iterator<Node> after(String after) {
    int c = chunkFor(after);
    if (c < 0 || c == chunkCount) {
      return new Walk(chunkCount, 0);
    }
    int i = search(c, after);
    return new Walk(c, i >= 0 ? i + 1 : -i - 1);
  }

  /**
   * The first chunk whose last name is at or after {@code name}: where the name is or would go;
   * chunkCount if every name sorts before it; -1 if there are no chunks.
   */
  private int chunkFor(String name) {
    if (chunkCount == 0) {
      return -1;
    }
    int lo = 0;
    int hi = chunkCount - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (chunks[mid][counts[mid] - 1].name.compareTo(name) < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Arrays.binarySearch over chunk {@code c} by name. */
  private int search(int c, String name) {
    Node[] chunk = chunks[c];
    int lo = 0;
    int hi = counts[c] - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp = chunk[mid].name.compareTo(name);
      if (cmp < 0) {
        lo = mid + 1;
      } else if (cmp > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** Moves the upper half of full chunk {@code c} into a new chunk after it. */
  private void split(int c) {
    Node[] upper = new Node[CHUNK];
    System.arraycopy(chunks[c], CHUNK / 2, upper, 0, CHUNK / 2);
    Arrays.fill(chunks[c], CHUNK / 2, CHUNK, null);
    counts[c] = CHUNK / 2;
    insertChunk(c + 1, upper, CHUNK / 2);
  }

  private void insertChunk(int at, Node[] chunk, int count) {
    if (chunkCount == chunks.length) {
      int n = Math.max(4, chunkCount + (chunkCount >> 1));
      chunks = Arrays.copyOf(chunks, n);
      counts = Arrays.copyOf(counts, n);
    }
    System.arraycopy(chunks, at, chunks, at + 1, chunkCount - at);
    System.arraycopy(counts, at, counts, at + 1, chunkCount - at);
    chunks[at] = chunk;
    counts[at] = count;
    chunkCount++;
  }

  private void removeChunk(int at) {
    System.arraycopy(chunks, at + 1, chunks, at, chunkCount - at - 1);
    System.arraycopy(counts, at + 1, counts, at, chunkCount - at - 1);
    chunks[--chunkCount] = null;
    if (chunkCount == 0) {
      chunks = NONE;
      counts = new int[0];
    }
  }

  private final class Walk implements Iterator<Node> {
    private int chunk;
    private int index;

    Walk(int chunk, int index) {
      this.chunk = chunk;
      this.index = index;
      skipEnded();
    }

    private void skipEnded() {
      while (chunk < chunkCount && index >= counts[chunk]) {
        chunk++;
        index = 0;
      }
    }

    @Override
    public boolean hasNext() {
      return chunk < chunkCount;
    }

    @Override
    public Node next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Node n = chunks[chunk][index++];
      skipEnded();
      return n;
    }
  }
}
