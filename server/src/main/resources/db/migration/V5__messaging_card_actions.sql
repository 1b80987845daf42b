-- messaging: answers to action cards (one per member per card), e.g. approving a stock transfer
CREATE TABLE messaging_card_actions
(
  conversation_id UUID        NOT NULL,
  seq             BIGINT      NOT NULL,
  participant     TEXT        NOT NULL,
  action_id       TEXT        NOT NULL,
  clicked_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (conversation_id, seq, participant),
  FOREIGN KEY (conversation_id, seq) REFERENCES messaging_messages (conversation_id, seq)
);
