namespace Aether.TestUtilities;
