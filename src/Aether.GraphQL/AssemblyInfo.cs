namespace Aether.GraphQL;
