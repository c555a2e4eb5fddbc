package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.HeldObject;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Where the namespace reports what it does, so that it survives the process. All calls but
 * {@link #commit} come under the namespace's write lock, in the order the tree changed.
 */
public interface ChangeLog {
  /** Nothing is kept: the tree lives as long as the process. */
  ChangeLog NONE = new ChangeLog() {
    @Override
    public void holding(long objectId, HeldObject object) {}

    @Override
    public void applied(Change change) {}

    @Override
    public void released(long objectId) {}

    @Override
    public boolean wantsRewrite() {
      return false;
    }

    @Override
    public void rewrite(Consumer<Consumer<Change>> state) {}

    @Override
    public void commit() {}
  };

  /**
   * An object is about to get a name, as {@code objectId}: keep its fd. Called before the tree
   * changes; a refusal leaves it unchanged.
   */
  void holding(long objectId, HeldObject object) throws Refusal;

  /** The tree changed so. */
  void applied(Change change);

  /** An object lost its name and is being closed: forget its fd. */
  void released(long objectId);

  /** Whether the log has grown enough to be rewritten from the current state. */
  boolean wantsRewrite();

  /** Replaces the log with the state {@code state} writes out: the tree as a list of changes. */
  void rewrite(Consumer<Consumer<Change>> state);

  /** Returns once every fd handed to {@link #holding} so far is safe. Called outside the lock. */
  void commit() throws IOException;
}
