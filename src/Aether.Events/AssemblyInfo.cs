namespace Aether.Events;
