using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunCredentialsGoWithTheirRun : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows left by runs and credentials deleted before these keys existed would refuse them.
            migrationBuilder.Sql(
                "DELETE FROM flow_run_credentials WHERE flow_run_id NOT IN (SELECT id FROM flow_run) OR credentials_id NOT IN (SELECT id FROM credentials);");

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_credentials_credentials_id",
                table: "flow_run_credentials",
                column: "credentials_id");

            migrationBuilder.AddForeignKey(
                name: "fk_flow_run_credentials_credentials_credentials_id",
                table: "flow_run_credentials",
                column: "credentials_id",
                principalTable: "credentials",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_flow_run_credentials_flow_run_flow_run_id",
                table: "flow_run_credentials",
                column: "flow_run_id",
                principalTable: "flow_run",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_flow_run_credentials_credentials_credentials_id",
                table: "flow_run_credentials");

            migrationBuilder.DropForeignKey(
                name: "fk_flow_run_credentials_flow_run_flow_run_id",
                table: "flow_run_credentials");

            migrationBuilder.DropIndex(
                name: "ix_flow_run_credentials_credentials_id",
                table: "flow_run_credentials");
        }
    }
}
