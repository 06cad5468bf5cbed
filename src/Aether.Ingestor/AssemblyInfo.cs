namespace Aether.Ingestor;
