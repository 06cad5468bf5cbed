namespace Aether.Dhcp;
