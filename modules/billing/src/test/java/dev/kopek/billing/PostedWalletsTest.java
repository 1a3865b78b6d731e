package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How billing turns the ledger's posted entries into subscription lookups and reactions. */
@DisplayName("PostedWallets")
@Timeout(30)
class PostedWalletsTest {

  private Vertx vertx;
  private Context context;

  /** Every lookup's wallets. */
  private final List<List<WalletKey>> lookups = new CopyOnWriteArrayList<>();

  private final List<String> reactions = new CopyOnWriteArrayList<>();

  /** Lookups answer only when the test says so, one promise per lookup. */
  private final List<Promise<Set<WalletKey>>> answers = new CopyOnWriteArrayList<>();

  private PostedWallets posted;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    posted =
        new PostedWallets(
            context,
            wallets -> {
              lookups.add(List.copyOf(wallets));
              Promise<Set<WalletKey>> answer = Promise.promise();
              answers.add(answer);
              return answer.future();
            },
            wallet -> react("resume " + wallet.userId() + " " + wallet.currency()),
            wallet -> react("timer " + wallet.userId() + " " + wallet.currency()));
  }

  private Future<Void> react(String what) {
    reactions.add(what);
    return Future.succeededFuture();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void onContext(Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          action.run();
          done.complete(null);
        });
    done.get(10, TimeUnit.SECONDS);
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws Exception {
    dev.kopek.testkit.Poll.until(java.time.Duration.ofSeconds(10), "the lookups", condition);
  }

  private void answer(int lookup, WalletKey... subscribed) throws Exception {
    onContext(() -> answers.get(lookup).complete(Set.copyOf(Arrays.asList(subscribed))));
  }

  private static WalletKey wallet(String user, String currency) {
    return new WalletKey(user, currency);
  }

  @Test
  @DisplayName(
      "a burst of entries over many turns of the event loop is asked about in one lookup, once per wallet")
  void burstIsOneLookup() throws Exception {
    // Five batches' worth of entries, each batch delivered in a turn of its own.
    onContext(
        () -> {
          for (int batch = 0; batch < 5; batch++) {
            int first = batch * 100;
            context.runOnContext(
                turn -> {
                  for (int i = first; i < first + 100; i++) {
                    posted.posted(wallet("u" + (i % 250), "USD"), false);
                  }
                });
          }
        });
    waitFor(() -> lookups.size() == 1);
    Thread.sleep(5 * PostedWallets.LOOKUP_DELAY_MS);
    assertThat(lookups).hasSize(1);
    assertThat(lookups.get(0))
        .hasSize(250)
        .doesNotHaveDuplicates()
        .contains(wallet("u0", "USD"), wallet("u249", "USD"));
  }

  @Test
  @DisplayName("entries arriving during a lookup wait for it, then go together in the next one")
  void entriesDuringALookupGoNext() throws Exception {
    onContext(() -> posted.posted(wallet("a", "USD"), false));
    waitFor(() -> lookups.size() == 1);
    onContext(
        () -> {
          posted.posted(wallet("b", "USD"), false);
          posted.posted(wallet("c", "EUR"), true);
        });
    Thread.sleep(5 * PostedWallets.LOOKUP_DELAY_MS);
    assertThat(lookups).as("no second lookup while the first is out").hasSize(1);
    answer(0, wallet("a", "USD"));
    waitFor(() -> lookups.size() == 2);
    assertThat(lookups.get(1)).containsExactly(wallet("b", "USD"), wallet("c", "EUR"));
    answer(1, wallet("c", "EUR"));
    waitFor(() -> reactions.size() == 2);
    assertThat(reactions).containsExactly("timer a USD", "resume c EUR");
  }

  @Test
  @DisplayName("only subscribed wallets react; a credit among a wallet's entries makes it a resume")
  void reactions() throws Exception {
    onContext(
        () -> {
          posted.posted(wallet("a", "USD"), false);
          posted.posted(wallet("a", "USD"), true);
          posted.posted(wallet("a", "USD"), false);
          posted.posted(wallet("b", "USD"), false);
          posted.posted(wallet("c", "USD"), true);
        });
    waitFor(() -> lookups.size() == 1);
    answer(0, wallet("a", "USD"), wallet("b", "USD"));
    waitFor(() -> reactions.size() == 2);
    Thread.sleep(5 * PostedWallets.LOOKUP_DELAY_MS);
    assertThat(reactions).containsExactly("resume a USD", "timer b USD");
    assertThat(lookups).hasSize(1);
  }

  @Test
  @DisplayName("a failed lookup does not stop later ones")
  void failedLookup() throws Exception {
    onContext(() -> posted.posted(wallet("a", "USD"), false));
    waitFor(() -> lookups.size() == 1);
    onContext(() -> answers.get(0).fail("database down"));
    onContext(() -> posted.posted(wallet("b", "USD"), false));
    waitFor(() -> lookups.size() == 2);
    answer(1, wallet("b", "USD"));
    waitFor(() -> reactions.size() == 1);
    assertThat(reactions).containsExactly("timer b USD");
    List<WalletKey> all = new ArrayList<>();
    lookups.forEach(all::addAll);
    assertThat(all.stream().collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(wallet("a", "USD"), wallet("b", "USD"));
  }
}
