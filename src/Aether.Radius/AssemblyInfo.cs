namespace Aether.Radius;
