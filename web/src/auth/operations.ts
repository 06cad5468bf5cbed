import { gql } from '../graphql/document';

/** The cheapest authenticated query: it proves the key before the console opens. */
export const SignInCheckQuery = gql<{ agents: { bngId: string }[] }>(`
query SignInCheck {
  agents { bngId }
}`);
