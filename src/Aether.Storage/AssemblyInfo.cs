namespace Aether.Storage;
